import type { DateGroupBy, ReportOptions, ResourceGroupBy } from '../losant/request-schemas.js';
import { countBuckets, iso, previousMonth, startOfMonth } from './periods.js';

/** A report request with every default applied: what a job actually builds. */
export interface ResolvedReport {
  start: string;
  end: string;
  resourceGroupBy: ResourceGroupBy;
  dateGroupBy: DateGroupBy;
  includeSandbox: boolean;
  callbackUrl?: string;
  emails?: string[];
}

/** A guard against reports nobody would ask for (ten years of days is still allowed). */
const MAX_BUCKETS = { day: 3_700, month: 240 } as const;

export class ReportRangeError extends Error {}

/**
 * Applies Losant's undocumented defaults as the simulator reads them: no start and no end is the
 * previous whole UTC month; only an end starts at the beginning of that end's UTC month; only a
 * start runs until now. Grouping defaults to organization and day; sandbox is excluded.
 */
export function resolveReportOptions(body: ReportOptions, now: Date): ResolvedReport {
  let start: number;
  let end: number;
  if (body.start === undefined && body.end === undefined) {
    ({ start, end } = previousMonth(now.getTime()));
  } else {
    end = body.end === undefined ? now.getTime() : Date.parse(body.end);
    start = body.start === undefined ? startOfMonth(end) : Date.parse(body.start);
  }
  if (start > end) throw new ReportRangeError('start: must not be after end');
  const dateGroupBy = body.dateGroupBy ?? 'day';
  if (countBuckets(start, end, dateGroupBy) > MAX_BUCKETS[dateGroupBy]) {
    throw new ReportRangeError(`end: the range spans more than ${MAX_BUCKETS[dateGroupBy]} ${dateGroupBy}s`);
  }
  const resolved: ResolvedReport = {
    start: iso(start),
    end: iso(end),
    resourceGroupBy: body.resourceGroupBy ?? 'organization',
    dateGroupBy,
    includeSandbox: body.includeSandbox ?? false,
  };
  if (body.callbackUrl !== undefined) resolved.callbackUrl = body.callbackUrl;
  if (body.email !== undefined) resolved.emails = [body.email];
  return resolved;
}
