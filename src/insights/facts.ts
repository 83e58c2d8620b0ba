import type { OrganizationFacts } from './limits.js';

/**
 * The read-only facts about the Losant instance that insights need: a port the worker's
 * composition root fills from the Losant client's read actions (src/wiring/instance-facts.ts).
 * Insights never see the client itself, so they cannot change the instance or request a report,
 * and tests can answer with the simulator or a fake behind this interface.
 */

export interface InstanceLimits {
  id: string;
  name: string;
  /** The instance's own limits; null when Losant sent none. */
  limits: Readonly<Record<string, number>> | null;
  /** The limits an organization without its own gets; null when Losant sent none. */
  orgDefaultLimitConfig: Readonly<Record<string, number>> | null;
}

export interface FactsRange {
  start: Date;
  end: Date;
}

/** One figure of one UTC day (or hour; insights fold hours into days). */
export interface DatedFigure {
  date: string;
  value: number;
}

export interface InstanceFacts {
  /** Instance get: its limits and the default limits of organizations. */
  instance(): Promise<InstanceLimits>;
  /** historicalSummaries of the month holding `month`, organizations only, every page. */
  organizations(month: Date): Promise<OrganizationFacts[]>;
  /** payloadCountsBreakdown per day: billable payloads. */
  payloadsByDay(range: FactsRange): Promise<DatedFigure[]>;
  /** deviceCounts per day: the day's total devices. */
  devicesByDay(range: FactsRange): Promise<DatedFigure[]>;
  /** notebookMinuteCounts per day: minutes. */
  notebookMinutesByDay(range: FactsRange): Promise<DatedFigure[]>;
  /** payloadCounts over the range: {type: {source: count}}. */
  payloadSources(range: FactsRange): Promise<Record<string, Record<string, number>>>;
}
