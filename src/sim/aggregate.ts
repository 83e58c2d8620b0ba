import { dayIndex, type Period } from './periods.js';
import { STATIC_METRICS, type PayloadType, type StaticMetric, type Usage } from './usage.js';

/**
 * How daily usage becomes one number per resource and period, the same way for the report CSV,
 * historicalSummaries and the instance-wide count endpoints:
 * - flows (payloads, notebook runs and minutes) are summed over the days of the period;
 * - levels (devices, dashboards, workflows, files, ...) are the value on the period's last day;
 * - every figure of a group (organization, sandbox user) is the sum over its applications;
 * - sizes are summed in bytes and converted once, to MiB rounded to 3 decimals.
 */

export type SourceMap = Partial<Record<PayloadType, Record<string, number>>>;

export interface Totals {
  days: number;
  /** Devices on the period's last day. */
  deviceCount: number;
  /** Sum over the period's days of the device total (for the prorated average). */
  deviceDaySum: number;
  statics: Record<StaticMetric, number>;
  notebookRunCount: number;
  notebookMinutesCount: number;
  payloadBillableCount: number;
  payloadNonbillableCount: number;
  payloadBillableBytes: number;
  payloadNonbillableBytes: number;
  payloadCountDetails: SourceMap;
  payloadBytesDetails: SourceMap;
}

export function bytesToMb(bytes: number): number {
  return Math.round((bytes / 1_048_576) * 1000) / 1000;
}

function emptyStatics(): Record<StaticMetric, number> {
  // as: Object.fromEntries forgets the keys; there is one entry per metric.
  return Object.fromEntries(STATIC_METRICS.map((metric) => [metric, 0])) as Record<StaticMetric, number>;
}

function addTo(map: SourceMap, type: PayloadType, source: string, value: number): void {
  const bySource = (map[type] ??= {});
  bySource[source] = (bySource[source] ?? 0) + value;
}

export function aggregate(usage: Usage, appIds: readonly string[], period: Period, withDetails = false): Totals {
  const firstDay = dayIndex(period.start);
  const lastDay = dayIndex(period.end);
  const totals: Totals = {
    days: lastDay - firstDay + 1,
    deviceCount: 0,
    deviceDaySum: 0,
    statics: emptyStatics(),
    notebookRunCount: 0,
    notebookMinutesCount: 0,
    payloadBillableCount: 0,
    payloadNonbillableCount: 0,
    payloadBillableBytes: 0,
    payloadNonbillableBytes: 0,
    payloadCountDetails: {},
    payloadBytesDetails: {},
  };
  for (const appId of appIds) {
    for (let day = firstDay; day <= lastDay; day += 1) {
      const devices = usage.devices(appId, day);
      totals.deviceDaySum += devices.total;
      if (day === lastDay) {
        totals.deviceCount += devices.total;
        const statics = usage.statics(appId, day);
        for (const metric of STATIC_METRICS) totals.statics[metric] += statics[metric];
      }
      const nb = usage.notebook(appId, day);
      totals.notebookMinutesCount += nb.minutes;
      totals.notebookRunCount += nb.completed + nb.canceled + nb.errored + nb.timeout;
      for (const cell of usage.payloads(appId, day)) {
        if (cell.billable) {
          totals.payloadBillableCount += cell.count;
          totals.payloadBillableBytes += cell.bytes;
        } else {
          totals.payloadNonbillableCount += cell.count;
          totals.payloadNonbillableBytes += cell.bytes;
        }
        if (withDetails) {
          addTo(totals.payloadCountDetails, cell.type, cell.source, cell.count);
          addTo(totals.payloadBytesDetails, cell.type, cell.source, cell.bytes);
        }
      }
    }
  }
  return totals;
}
