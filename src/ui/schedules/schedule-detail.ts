import type { MissedRun } from '../../schedules/missed-run.js';
import type { ScheduleWithConfig } from '../../schedules/schedule-service.js';
import { errorSummary, textField } from '../fields.js';
import type { FieldErrors } from '../field-errors.js';
import { csrfField } from '../forms.js';
import { reportHref, scheduleHref, statusBadge, timeTag } from '../format.js';
import { dataTable } from '../data-table.js';
import { html, type SafeHtml } from '../html.js';
import { scheduleForm } from './schedule-form.js';
import { recipientsOf, reportShape, upcomingRuns } from './schedule-list.js';
import { zonedTimeTag } from './zoned-time.js';

/** How many upcoming runs a schedule's page shows. */
const NEXT_RUNS = 5;

export interface ScheduleDetailState {
  /** The edit form's fields (as typed, after a refused change) and their errors. */
  edit: { values: Readonly<Record<string, string>>; errors: FieldErrors };
  rotate: { values: Readonly<Record<string, string>>; errors: FieldErrors };
  /** A message above the page: what was just done, or what Losant said. */
  notice: SafeHtml | null;
}

function facts(schedule: ScheduleWithConfig): SafeHtml {
  return html`<dl class="facts">
    <dt>Id</dt>
    <dd><code>${schedule.id}</code></dd>
    <dt>Cadence</dt>
    <dd><code>${schedule.cron}</code> in ${schedule.timezone}</dd>
    <dt>Report</dt>
    <dd>${reportShape(schedule)}</dd>
    <dt>Recipients</dt>
    <dd>${recipientsOf(schedule)}</dd>
    <dt>In Losant</dt>
    <dd>
      ${
        schedule.losantConfig === null
          ? html`<span class="badge badge-failed">missing</span> Losant holds no config for this schedule: saving it writes the config again.`
          : html`report config <code>${schedule.losantConfig.id ?? 'without id'}</code>`
      }
    </dd>
    <dt>Created</dt>
    <dd>${timeTag(schedule.createdAt)}</dd>
    <dt>Changed</dt>
    <dd>${timeTag(schedule.updatedAt)}</dd>
    ${
      schedule.previousSecretValidUntil !== null &&
      html`<dt>Previous secret works until</dt>
      <dd>${timeTag(schedule.previousSecretValidUntil)}</dd>`
    }
  </dl>`;
}

function missedRunsTable(schedule: ScheduleWithConfig, runs: readonly MissedRun[]): SafeHtml {
  if (runs.length === 0) return html`<p class="empty">No run of this schedule was missed.</p>`;
  const reportOf = (run: MissedRun) => run.reRequestedReportId ?? run.arrivedReportId;
  return dataTable({
    caption: "Runs whose callback did not come in time, newest first; fire times on the schedule's clock",
    rows: runs,
    rowHeader: { header: 'Fired', cell: (run) => zonedTimeTag(new Date(run.fireTime), schedule.timezone) },
    columns: [
      { header: 'Period', cell: (run) => html`${timeTag(run.period.start)} – ${timeTag(run.period.end)}` },
      { header: 'State', cell: (run) => statusBadge(run.state) },
      {
        header: 'Report',
        cell: (run) => {
          const report = reportOf(run);
          return report === null ? html`<span class="muted">none</span>` : html`<a href="${reportHref(report)}">${report}</a>`;
        },
      },
    ],
  });
}

function rotateForm(request: { csrfToken: string }, schedule: ScheduleWithConfig, state: ScheduleDetailState['rotate']): SafeHtml {
  return html`${errorSummary(state.errors, { graceSeconds: 'Previous secret keeps working for' })}
    <form class="form" method="post" action="${scheduleHref(schedule.id)}/rotate-secret" novalidate>
      ${csrfField(request)}
      <p class="hint">
        The secret is the last part of the callback URL Losant holds. A new one is written to Losant; the previous one keeps working for the grace time, for a
        run already on its way.
      </p>
      ${textField({
        name: 'graceSeconds',
        label: 'Previous secret keeps working for',
        type: 'number',
        inputmode: 'numeric',
        value: state.values.graceSeconds ?? '86400',
        hint: 'Seconds, 0 to 2592000 (30 days). 86400 is one day.',
        errors: state.errors,
      })}
      <button type="submit">Rotate the secret</button>
    </form>`;
}

/** One schedule: its settings, next and missed runs, and the forms that change, re-key and delete it. */
export function scheduleDetail(
  request: { csrfToken: string },
  schedule: ScheduleWithConfig,
  runs: readonly MissedRun[],
  now: Date,
  state: ScheduleDetailState,
): SafeHtml {
  return html`${state.notice}
    <p><a href="/ui/schedules">All schedules</a></p>
    ${facts(schedule)}
    <section aria-labelledby="next-runs-title">
      <h2 id="next-runs-title">Next runs</h2>
      <p class="hint">On the clock of ${schedule.timezone}.</p>
      ${upcomingRuns(schedule, now, NEXT_RUNS)}
    </section>
    <section aria-labelledby="missed-runs-title">
      <h2 id="missed-runs-title">Missed runs</h2>
      ${missedRunsTable(schedule, runs)}
    </section>
    <section aria-labelledby="edit-title">
      <h2 id="edit-title">Change</h2>
      ${scheduleForm(request, { mode: 'update', action: scheduleHref(schedule.id), values: state.edit.values, errors: state.edit.errors, submit: 'Save changes' })}
    </section>
    <section aria-labelledby="rotate-title">
      <h2 id="rotate-title">Rotate the secret</h2>
      ${rotateForm(request, schedule, state.rotate)}
    </section>
    <section aria-labelledby="delete-title">
      <h2 id="delete-title">Delete</h2>
      <p>Deleting removes the schedule's report config from Losant and the schedule from report-relay. Its reports are kept.</p>
      <p><a href="${scheduleHref(schedule.id)}/delete">Delete this schedule…</a></p>
    </section>`;
}

/** The step before a delete: what it does, and a button that says it. */
export function deleteConfirmation(request: { csrfToken: string }, schedule: ScheduleWithConfig): SafeHtml {
  return html`<p>
      Delete <strong>${schedule.name}</strong> (<code>${schedule.cron}</code> in ${schedule.timezone})? Its report config is removed from Losant, so Losant stops running
      it, and report-relay forgets the schedule and its missed runs. Reports already made are kept.
    </p>
    <form class="actions" method="post" action="${scheduleHref(schedule.id)}/delete">
      ${csrfField(request)}
      <button type="submit" class="danger">Delete schedule “${schedule.name}”</button>
      <a href="${scheduleHref(schedule.id)}">Cancel, keep it</a>
    </form>`;
}
