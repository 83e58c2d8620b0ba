import { createHash } from 'node:crypto';
import type { ReportRequest } from './record.js';

/**
 * Reports are compared with the previous report of the same kind: same schedule, or the same
 * grouping options over a range of the same length. The series key names that kind.
 */
export function seriesKeyForSchedule(scheduleId: string): string {
  return `schedule-${scheduleId}`;
}

export function seriesKeyForRequest(request: ReportRequest): string {
  const spanDays =
    request.start !== undefined && request.end !== undefined ? Math.round((Date.parse(request.end) - Date.parse(request.start)) / 86_400_000) : null;
  const kind = {
    resourceGroupBy: request.resourceGroupBy ?? 'default',
    dateGroupBy: request.dateGroupBy ?? 'default',
    includeSandbox: request.includeSandbox ?? false,
    spanDays,
  };
  return `options-${createHash('sha256').update(JSON.stringify(kind)).digest('hex').slice(0, 16)}`;
}
