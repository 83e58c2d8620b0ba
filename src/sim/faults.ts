import type { ActionName, FaultRule, Faults } from './types.js';

export const NO_FAULTS: Faults = {
  duplicateDelivery: 0,
  callbackBeforeAccept: false,
  callbackDelayMs: 0,
  noCallback: false,
  skipScheduledCallbacks: { count: 0 },
  downloadFailOnce: false,
  downloadExpired: false,
  payloadCountsMismatch: null,
  limitScenario: null,
};

/** The fault switches in force, and the queue of one-off answers injected for API requests. */
export function createFaults(initial: Partial<Faults> = {}) {
  let current: Faults = { ...NO_FAULTS, ...initial };
  const rules: Array<{ rule: FaultRule; left: number }> = [];

  return {
    get current(): Faults {
      return current;
    },
    set(faults: Partial<Faults>): void {
      current = { ...current, ...faults };
    },
    /** Takes one use of skipScheduledCallbacks for a run of this config: true when its callback is to be skipped. */
    takeScheduledSkip(configId: string): boolean {
      const { count, configId: only } = current.skipScheduledCallbacks;
      if (count < 1 || (only !== undefined && only !== configId)) return false;
      current = { ...current, skipScheduledCallbacks: { ...current.skipScheduledCallbacks, count: count - 1 } };
      return true;
    },
    inject(rule: FaultRule): void {
      if (!Number.isInteger(rule.count) || rule.count < 1) throw new RangeError('injectFaults: count must be a whole number of at least 1');
      rules.push({ rule: { ...rule }, left: rule.count });
    },
    /** Takes one use of the first rule matching the action, if any. */
    take(action: ActionName): FaultRule | undefined {
      const index = rules.findIndex((entry) => entry.rule.action === undefined || entry.rule.action === action);
      const entry = rules[index];
      if (entry === undefined) return undefined;
      entry.left -= 1;
      if (entry.left <= 0) rules.splice(index, 1);
      return entry.rule;
    },
  };
}

export type FaultState = ReturnType<typeof createFaults>;
