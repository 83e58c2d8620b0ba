import type { LevelFigures, ReportSummary } from './types.js';

/**
 * The level figures of a column, or undefined. Summaries come back from Redis and archives as
 * unchecked JSON, and those stored before levels existed have none, so absence and odd shapes are
 * expected here rather than trusted away by the type.
 */
export function levelFiguresOf(summary: ReportSummary, column: string): LevelFigures | undefined {
  // as: read as unchecked JSON (see above), so absent and odd shapes are checked here.
  const levels = summary.levels as Readonly<Record<string, unknown>> | null | undefined;
  if (levels === undefined || levels === null || !Object.hasOwn(levels, column)) return undefined;
  const figures = levels[column] as Partial<Record<keyof LevelFigures, unknown>> | null | undefined; // as: checked below
  if (typeof figures !== 'object' || figures === null) return undefined;
  const { peak, latest, peakPeriod } = figures;
  if (typeof peak !== 'number' || !Number.isFinite(peak) || typeof latest !== 'number' || !Number.isFinite(latest)) return undefined;
  return { peak, latest, peakPeriod: typeof peakPeriod === 'string' ? peakPeriod : null };
}
