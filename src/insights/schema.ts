import { z } from 'zod';
import type { ReportInsights } from './types.js';

/** Stored insights are read back through this (Redis data is input too). */

const level = z.enum(['ok', 'warning', 'over', 'unknown']);
const period = z.object({ start: z.string(), end: z.string() });

const limitFinding = z.object({
  scope: z.enum(['organization', 'instance']),
  id: z.string(),
  name: z.string(),
  // as: a template literal type that zod's string cannot express; the values are those stored.
  metric: z.string() as z.ZodType<ReportInsights['limits'][number]['metric']>,
  limitKey: z.string(),
  period,
  used: z.number(),
  limit: z.number().nullable(),
  percent: z.number().nullable(),
  level,
  limitSource: z.enum(['organization', 'orgDefault', 'instance', 'none']),
});

const projection = z.object({
  id: z.string(),
  name: z.string(),
  metric: z.enum(['payloads', 'notebookMinutes']),
  month: period,
  daysCovered: z.number(),
  daysInMonth: z.number(),
  usedSoFar: z.number(),
  projected: z.number(),
  limit: z.number().nullable(),
  projectedPercent: z.number().nullable(),
  level,
});

const difference = z.object({
  metric: z.enum(['payloads', 'devices', 'notebookMinutes']),
  period,
  report: z.number(),
  losant: z.number(),
  difference: z.number(),
  relative: z.number(),
  flagged: z.boolean(),
});

const driver = z.object({
  period,
  total: z.number(),
  sources: z.array(z.object({ source: z.string(), count: z.number(), share: z.number() })),
});

const mover = z.object({ id: z.string(), name: z.string(), previous: z.number(), latest: z.number(), change: z.number(), percent: z.number().nullable() });

const movers = z.object({
  metric: z.enum(['payloads', 'devices', 'notebookMinutes']),
  latestMonth: z.string(),
  previousMonth: z.string(),
  compared: z.number(),
  up: z.array(mover),
  down: z.array(mover),
});

export const insightsSchema: z.ZodType<ReportInsights> = z.object({
  computedAt: z.string(),
  warningPercent: z.number(),
  limits: z.array(limitFinding),
  projections: z.array(projection),
  reconciliation: z.object({ tolerance: z.number(), differences: z.array(difference), drivers: z.array(driver) }).nullable(),
  unavailable: z.array(z.object({ part: z.enum(['limits', 'projection', 'reconciliation']), reason: z.string() })),
  losantCalls: z.object({ count: z.number(), elapsedMs: z.number() }),
  movers: movers.nullable().optional(),
});
