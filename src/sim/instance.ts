import { randomBytes } from 'node:crypto';
import { instancePatchSchema, type ReportConfig } from '../losant/request-schemas.js';
import { issuesError, validationError } from './errors.js';
import { INSTANCE_LIMITS, ORG_DEFAULT_LIMITS } from './limits.js';
import { hexId } from './prng.js';
import { scheduleProblem } from './schedules.js';

/** A report config as stored: Losant (as the simulator assumes) gives every config an id. */
export type StoredReportConfig = ReportConfig & { id: string };

export interface InstanceDocument {
  id: string;
  instanceId: string;
  name: string;
  creationDate: string;
  lastUpdated: string;
  allowAuditLogging: boolean;
  reportConfigs: StoredReportConfig[];
  limits: Record<string, number>;
  orgDefaultLimitConfig: Record<string, number>;
  members: Array<{ userId: string; role: 'admin' | 'view' }>;
  mfaMode: 'notRequired' | 'adminRequired' | 'required';
}

export const INSTANCE_CREATION_DATE = '2021-01-08T18:10:00.054Z';

export function createInstanceStore(options: { seed: number; instanceId: string; now: () => Date; newerReportConfigFields: readonly string[] }) {
  const { seed, instanceId } = options;
  const doc: InstanceDocument = {
    id: instanceId,
    instanceId,
    name: 'Simulated Instance',
    creationDate: INSTANCE_CREATION_DATE,
    lastUpdated: INSTANCE_CREATION_DATE,
    allowAuditLogging: false,
    reportConfigs: [],
    limits: { ...INSTANCE_LIMITS },
    orgDefaultLimitConfig: { ...ORG_DEFAULT_LIMITS },
    members: [
      { userId: hexId([seed, 'member', 0]), role: 'admin' },
      { userId: hexId([seed, 'member', 1]), role: 'view' },
      { userId: hexId([seed, 'member', 2]), role: 'view' },
    ],
    mfaMode: 'notRequired',
  };

  return {
    get(): InstanceDocument {
      return structuredClone(doc);
    },

    /**
     * Applies a PATCH body. `reportConfigs` replaces the whole array (ids given are kept,
     * missing ones assigned); `orgDefaultLimitConfig` replaces the whole object.
     */
    patch(body: unknown): InstanceDocument {
      if (body === undefined) throw validationError('body: an instance patch object is required');
      const { known, newer } = splitNewerFields(body, options.newerReportConfigFields);
      const parsed = instancePatchSchema.safeParse(known);
      if (!parsed.success) throw issuesError(parsed.error.issues);
      const patch = parsed.data;
      // Losant's bounds on orgDefaultLimitConfig (dataTTL, systemInterval) are in instancePatchSchema.
      const problems: string[] = [];
      const seen = new Set<string>();
      patch.reportConfigs?.forEach((config, index) => {
        const problem = scheduleProblem(config);
        if (problem !== null) problems.push(`reportConfigs.${index}.${problem}`);
        if (config.id !== undefined && seen.has(config.id)) problems.push(`reportConfigs.${index}.id: "${config.id}" is used twice`);
        if (config.id !== undefined) seen.add(config.id);
      });
      if (problems.length > 0) throw validationError(problems.join('; '));

      if (patch.reportConfigs !== undefined) {
        doc.reportConfigs = patch.reportConfigs.map((config, index) => ({ ...config, ...newer[index], id: config.id ?? randomBytes(12).toString('hex') }));
      }
      if (patch.orgDefaultLimitConfig !== undefined) {
        doc.orgDefaultLimitConfig = Object.fromEntries(
          Object.entries(patch.orgDefaultLimitConfig).filter((entry): entry is [string, number] => entry[1] !== undefined),
        );
      }
      if (patch.mfaMode !== undefined) doc.mfaMode = patch.mfaMode;
      doc.lastUpdated = options.now().toISOString();
      return structuredClone(doc);
    },

    reportConfig(id: string): StoredReportConfig | undefined {
      return doc.reportConfigs.find((config) => config.id === id);
    },
  };
}

export type InstanceStore = ReturnType<typeof createInstanceStore>;

/**
 * Takes the fields a newer Losant knows out of each report config of a PATCH body, so the rest is
 * checked as this version's Losant checks it; they are put back on the stored config.
 */
function splitNewerFields(body: unknown, fields: readonly string[]): { known: unknown; newer: Array<Record<string, unknown>> } {
  if (fields.length === 0 || typeof body !== 'object' || body === null || !('reportConfigs' in body) || !Array.isArray(body.reportConfigs)) {
    return { known: body, newer: [] };
  }
  const newer: Array<Record<string, unknown>> = [];
  const configs = body.reportConfigs.map((config: unknown, index) => {
    newer[index] = {};
    if (typeof config !== 'object' || config === null) return config;
    const rest: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(config)) {
      if (fields.includes(name)) newer[index][name] = value;
      else rest[name] = value;
    }
    return rest;
  });
  return { known: { ...body, reportConfigs: configs }, newer };
}
