import type { InstanceReportConfig } from '../../losant/response-schemas.js';
import { nextFireTimes } from '../../schedules/fire-times.js';
import type { ScheduleWithConfig } from '../../schedules/schedule-service.js';
import type { Schedule } from '../../schedules/schedule.js';
import { scheduleHref } from '../format.js';
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
  return html`<div class="table-wrap">
    <table>
      <caption>
        Schedules report-relay manages; next runs on the clock of each schedule's time zone
      </caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Cadence</th>
          <th scope="col">Time zone</th>
          <th scope="col">Report</th>
          <th scope="col">Recipients</th>
          <th scope="col">Next runs</th>
          <th scope="col">Missed runs</th>
        </tr>
      </thead>
      <tbody>
        ${schedules.map(
          ({ schedule, missed }) => html`<tr>
            <th scope="row">
              <a href="${scheduleHref(schedule.id)}">${schedule.name}</a>
              ${schedule.losantConfig === null && html`<br /><span class="badge badge-failed">not in Losant</span>`}
            </th>
            <td data-label="Cadence"><code>${schedule.cron}</code></td>
            <td data-label="Time zone">${schedule.timezone}</td>
            <td data-label="Report">${reportShape(schedule)}</td>
            <td data-label="Recipients">${recipientsOf(schedule)}</td>
            <td data-label="Next runs">${upcomingRuns(schedule, now, NEXT_RUNS)}</td>
            <td data-label="Missed runs">
              ${missed === 0 ? html`<span class="muted">none</span>` : html`<a href="${scheduleHref(schedule.id)}#missed-runs-title">${missed} missed</a>`}
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
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
  return html`<div class="table-wrap">
    <table>
      <caption>
        Report configs made outside report-relay (read-only: report-relay passes them back to Losant as they are)
      </caption>
      <thead>
        <tr>
          <th scope="col">Losant id</th>
          <th scope="col">Cadence</th>
          <th scope="col">Time zone</th>
          <th scope="col">Report</th>
          <th scope="col">Emails</th>
          <th scope="col">Calls back to</th>
        </tr>
      </thead>
      <tbody>
        ${configs.map(
          (config) => html`<tr>
            <th scope="row">${optional(config.id, 'no id')}</th>
            <td data-label="Cadence"><code>${config.cron}</code></td>
            <td data-label="Time zone">${optional(config.timezone, 'UTC (default)')}</td>
            <td data-label="Report">
              per ${config.resourceGroupBy ?? 'organization'}, ${config.periods ?? 1} × ${config.dateGroupBy ?? 'day'}${config.includeSandbox === true && ', sandbox users included'}
            </td>
            <td data-label="Emails">
              ${
                (config.emails ?? []).length === 0
                  ? html`<span class="muted">none</span>`
                  : html`<ul class="plain">
                    ${(config.emails ?? []).map((address) => html`<li>${address}</li>`)}
                  </ul>`
              }
            </td>
            <td data-label="Calls back to">${callbackHost(config)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
