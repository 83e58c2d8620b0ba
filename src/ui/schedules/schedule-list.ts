import type { InstanceReportConfig } from '../../losant/response-schemas.js';
import { nextFireTimes } from '../../schedules/fire-times.js';
import type { ScheduleWithConfig } from '../../schedules/schedule-service.js';
import type { Schedule } from '../../schedules/schedule.js';
import { scheduleHref } from '../format.js';
import { dataTable } from '../data-table.js';
import { html, type SafeHtml } from '../html.js';
import { zonedTimeTag } from './zoned-time.js';

/** How many upcoming runs the list shows per schedule. */
const NEXT_RUNS = 3;

/** What one report of the schedule holds, in words. */
export function reportShape(schedule: Pick<Schedule, 'resourceGroupBy' | 'dateGroupBy' | 'periods' | 'includeSandbox'>): string {
  const unit = schedule.dateGroupBy === 'day' ? 'day' : 'month';
  return `per ${schedule.resourceGroupBy}, ${schedule.periods} ${unit}${schedule.periods === 1 ? '' : 's'}${schedule.includeSandbox ? ', sandbox users included' : ''}`;
}

export function recipientsOf(schedule: Schedule): SafeHtml {
  const { email, archive, recipients } = schedule.delivery;
  const archived = archive ? html`<span class="muted">archived</span>` : null;
  // One element: on a phone the cell is a grid of its label and its content.
  if (!email) return html`<div><span class="muted">no email</span>${archived && html`, ${archived}`}</div>`;
  return html`<div>
    <ul class="plain">
      ${recipients.map((address) => html`<li>${address}</li>`)}
    </ul>
    ${archived}
  </div>`;
}

export function upcomingRuns(schedule: Schedule, now: Date, count: number): SafeHtml {
  return html`<ul class="plain">
    ${nextFireTimes(schedule, now, count).map((time) => html`<li>${zonedTimeTag(time, schedule.timezone)}</li>`)}
  </ul>`;
}

export function schedulesTable(schedules: ReadonlyArray<{ schedule: ScheduleWithConfig; missed: number }>, now: Date): SafeHtml {
  if (schedules.length === 0) return html`<p class="empty">No schedules yet.</p>`;
  return dataTable({
    caption: "Schedules report-relay manages; next runs on the clock of each schedule's time zone",
    rows: schedules,
    rowHeader: {
      header: 'Name',
      cell: ({ schedule }) =>
        html`<a href="${scheduleHref(schedule.id)}">${schedule.name}</a>
          ${schedule.losantConfig === null && html`<br /><span class="badge badge-failed">not in Losant</span>`}`,
    },
    columns: [
      { header: 'Cadence', cell: ({ schedule }) => html`<code>${schedule.cron}</code>` },
      { header: 'Time zone', cell: ({ schedule }) => schedule.timezone },
      { header: 'Report', cell: ({ schedule }) => reportShape(schedule) },
      { header: 'Recipients', cell: ({ schedule }) => recipientsOf(schedule) },
      { header: 'Next runs', cell: ({ schedule }) => upcomingRuns(schedule, now, NEXT_RUNS) },
      {
        header: 'Missed runs',
        cell: ({ schedule, missed }) =>
          missed === 0 ? html`<span class="muted">none</span>` : html`<a href="${scheduleHref(schedule.id)}#missed-runs-title">${missed} missed</a>`,
      },
    ],
  });
}

/** Where a config calls back, without the path (which may carry someone's secret). */
function callbackHost(config: InstanceReportConfig): SafeHtml {
  if (config.callbackUrl === undefined) return html`<span class="muted">none</span>`;
  try {
    return html`${new URL(config.callbackUrl).host}`;
  } catch {
    return html`<span class="muted">not a URL</span>`;
  }
}

const optional = (value: string | number | boolean | undefined, fallback: string) =>
  value === undefined ? html`<span class="muted">${fallback}</span>` : html`${String(value)}`;

/** The instance's other report configs: shown, never changed (schedule changes pass them back as read). */
export function otherConfigsTable(configs: readonly InstanceReportConfig[]): SafeHtml {
  if (configs.length === 0) return html`<p class="empty">The instance has no other report configs.</p>`;
  return dataTable({
    caption: 'Report configs made outside report-relay (read-only: report-relay passes them back to Losant as they are)',
    rows: configs,
    rowHeader: { header: 'Losant id', cell: (config) => optional(config.id, 'no id') },
    columns: [
      { header: 'Cadence', cell: (config) => html`<code>${config.cron}</code>` },
      { header: 'Time zone', cell: (config) => optional(config.timezone, 'UTC (default)') },
      {
        header: 'Report',
        cell: (config) =>
          html`per ${config.resourceGroupBy ?? 'organization'}, ${config.periods ?? 1} × ${config.dateGroupBy ?? 'day'}${config.includeSandbox === true && ', sandbox users included'}`,
      },
      {
        header: 'Emails',
        cell: (config) =>
          (config.emails ?? []).length === 0
            ? html`<span class="muted">none</span>`
            : html`<ul class="plain">
                ${(config.emails ?? []).map((address) => html`<li>${address}</li>`)}
              </ul>`,
      },
      { header: 'Calls back to', cell: callbackHost },
    ],
  });
}
