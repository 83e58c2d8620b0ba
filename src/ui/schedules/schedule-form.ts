import type { Schedule } from '../../schedules/schedule.js';
import type { FieldErrors } from '../field-errors.js';
import { checkboxField, errorSummary, selectField, textareaField, textField } from '../fields.js';
import { checkbox, defined, optionalBoolean, optionalNumber, optionalText, textList } from '../form-input.js';
import { csrfField } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { TIME_ZONES } from './zoned-time.js';

type ScheduleField = 'name' | 'cron' | 'timezone' | 'resourceGroupBy' | 'dateGroupBy' | 'periods' | 'includeSandbox' | 'recipients' | 'email' | 'archive';

export const SCHEDULE_LABELS: Readonly<Record<ScheduleField, string>> = {
  name: 'Name',
  cron: 'Cron expression',
  timezone: 'Time zone',
  resourceGroupBy: 'Rows per',
  dateGroupBy: 'Columns per',
  periods: 'Periods',
  includeSandbox: 'Include sandbox users',
  recipients: 'Recipients',
  email: 'Send by email',
  archive: 'Archive',
};

/** What a new schedule's form starts with: the API's defaults. */
export const NEW_SCHEDULE_VALUES: Readonly<Record<string, string>> = { timezone: 'UTC', resourceGroupBy: 'organization', dateGroupBy: 'day', periods: '1' };

/** A schedule as its edit form shows it. */
export function scheduleValues(schedule: Schedule): Record<string, string> {
  return {
    name: schedule.name,
    cron: schedule.cron,
    timezone: schedule.timezone,
    resourceGroupBy: schedule.resourceGroupBy,
    dateGroupBy: schedule.dateGroupBy,
    periods: String(schedule.periods),
    ...(schedule.includeSandbox ? { includeSandbox: 'true' } : {}),
    recipients: schedule.delivery.recipients.join('\n'),
    email: String(schedule.delivery.email),
    archive: String(schedule.delivery.archive),
  };
}

/**
 * The form's fields as the JSON body POST /admin/schedules (`create`) or PUT /admin/schedules/<id>
 * (`update`) takes. An empty name keeps the default (or the current name); empty recipients are the
 * service's REPORT_EMAIL_TO for a new schedule, and no recipients for one being changed.
 */
export function scheduleBody(form: URLSearchParams, mode: 'create' | 'update'): Record<string, unknown> {
  const recipients = textList(form, 'recipients');
  return defined({
    name: optionalText(form, 'name'),
    cron: optionalText(form, 'cron') ?? (mode === 'create' ? '' : undefined),
    timezone: optionalText(form, 'timezone'),
    resourceGroupBy: optionalText(form, 'resourceGroupBy'),
    dateGroupBy: optionalText(form, 'dateGroupBy'),
    periods: optionalNumber(form, 'periods'),
    includeSandbox: checkbox(form, 'includeSandbox'),
    recipients: recipients.length === 0 && mode === 'create' ? undefined : recipients,
    email: optionalBoolean(form, 'email'),
    archive: optionalBoolean(form, 'archive'),
  });
}

const yesNo = (mode: 'create' | 'update', defaultLabel: string) => [
  ...(mode === 'create' ? [{ value: '', label: defaultLabel }] : []),
  { value: 'true', label: 'Yes' },
  { value: 'false', label: 'No' },
];

/** The schedule's fields, for creating (`create`) or changing one (`update`), posted to `action`. */
export function scheduleForm(
  request: { csrfToken: string },
  options: { mode: 'create' | 'update'; action: string; values: Readonly<Record<string, string>>; errors: FieldErrors; submit: string },
): SafeHtml {
  const { mode, values, errors } = options;
  const value = (name: string) => values[name] ?? '';
  return html`${errorSummary(errors, SCHEDULE_LABELS)}
    <form class="form" method="post" action="${options.action}" novalidate>
      ${csrfField(request)}
      <fieldset>
        <legend>When</legend>
        ${textField({
          name: 'name',
          label: SCHEDULE_LABELS.name,
          value: value('name'),
          hint: mode === 'create' ? 'Up to 100 characters. Empty: a name made from the settings.' : 'Up to 100 characters. Empty: keep the current name.',
          errors,
        })}
        ${textField({
          name: 'cron',
          label: SCHEDULE_LABELS.cron,
          value: value('cron'),
          required: true,
          hint: 'Five fields: minute, hour, day of month, month, day of week, on the clock of the time zone. 0 6 * * 1 is Mondays at 06:00.',
          errors,
        })}
        ${textField({
          name: 'timezone',
          label: SCHEDULE_LABELS.timezone,
          value: value('timezone'),
          list: 'time-zones',
          hint: 'An IANA time zone, e.g. America/Chicago or Europe/Berlin.',
          errors,
        })}
        <datalist id="time-zones">${TIME_ZONES.map((zone) => html`<option value="${zone}"></option>`)}</datalist>
      </fieldset>
      <fieldset>
        <legend>Report</legend>
        ${selectField({
          name: 'resourceGroupBy',
          label: SCHEDULE_LABELS.resourceGroupBy,
          value: value('resourceGroupBy'),
          options: [
            { value: 'organization', label: 'Organization' },
            { value: 'application', label: 'Application' },
          ],
          errors,
        })}
        ${selectField({
          name: 'dateGroupBy',
          label: SCHEDULE_LABELS.dateGroupBy,
          value: value('dateGroupBy'),
          options: [
            { value: 'day', label: 'Day' },
            { value: 'month', label: 'Month' },
          ],
          errors,
        })}
        ${textField({
          name: 'periods',
          label: SCHEDULE_LABELS.periods,
          type: 'number',
          inputmode: 'numeric',
          value: value('periods'),
          hint: 'How many whole days or months each report covers, up to the last full one before the run: 1 to 90.',
          errors,
        })}
        ${checkboxField({ name: 'includeSandbox', label: SCHEDULE_LABELS.includeSandbox, checked: value('includeSandbox') === 'true', errors })}
      </fieldset>
      <fieldset>
        <legend>Delivery</legend>
        ${textareaField({
          name: 'recipients',
          label: SCHEDULE_LABELS.recipients,
          value: value('recipients'),
          hint:
            mode === 'create'
              ? 'Email addresses, separated by commas or new lines (at most 10). Empty: the service’s REPORT_EMAIL_TO.'
              : 'Email addresses, separated by commas or new lines (at most 10).',
          errors,
        })}
        ${selectField({ name: 'email', label: SCHEDULE_LABELS.email, value: value('email'), options: yesNo(mode, 'Default'), ...(mode === 'create' ? { hint: 'Default: yes when there are recipients.' } : {}), errors })}
        ${selectField({ name: 'archive', label: SCHEDULE_LABELS.archive, value: value('archive'), options: yesNo(mode, 'Default'), ...(mode === 'create' ? { hint: 'Default: yes.' } : {}), errors })}
      </fieldset>
      <button type="submit">${options.submit}</button>
    </form>`;
}
