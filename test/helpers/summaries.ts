import type { ReportSummary } from '../../src/summary/types.js';

/** A small valid summary (one day, one organization), with the given fields replaced. */
export function summaryOf(overrides: Partial<ReportSummary> = {}): ReportSummary {
  return {
    rows: 1,
    badRowCount: 0,
    badRows: [],
    columns: ['resourceType', 'resourceId', 'resourceName', 'currentPeriodStart', 'deviceCount', 'payloadBillableCount'],
    period: { start: '2026-02-01T00:00:00.000Z', end: '2026-02-01T23:59:59.999Z' },
    grouping: { resource: 'organization', date: 'day' },
    resourceCount: 1,
    resourcesCapped: 0,
    totals: { deviceCount: 10, payloadBillableCount: 1000 },
    levels: { deviceCount: { peak: 10, latest: 10, peakPeriod: '2026-02-01T00:00:00.000Z' } },
    levelsUnavailable: null,
    top: [],
    periodSeries: null,
    ...overrides,
  };
}
