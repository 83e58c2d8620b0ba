import { ValidationError } from '../../errors.js';
import { httpStatusOf } from '../../http/error-status.js';
import { parseReportRequest, type RequestReportResult } from '../../reports/request-report.js';
import { errorsByField, NO_ERRORS, type FieldErrors } from '../field-errors.js';
import { checkboxField, errorSummary, selectField, textareaField, textField } from '../fields.js';
import { checkbox, defined, optionalBoolean, optionalText, textList, typedValues } from '../form-input.js';
import { csrfField } from '../forms.js';
import { reportHref } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import type { PageRequest, PageView, UiPage } from '../page.js';

type RequestField = 'start' | 'end' | 'resourceGroupBy' | 'dateGroupBy' | 'includeSandbox' | 'recipients' | 'email' | 'archive';

const LABELS: Readonly<Record<RequestField, string>> = {
  start: 'Start',
  end: 'End',
  resourceGroupBy: 'Rows per',
  dateGroupBy: 'Columns per',
  includeSandbox: 'Include sandbox users',
  recipients: 'Recipients',
  email: 'Send by email',
  archive: 'Archive',
};

/** A yes/no with the API's default as its first choice. */
const withDefault = (defaultLabel: string) => [
  { value: '', label: defaultLabel },
  { value: 'true', label: 'Yes' },
  { value: 'false', label: 'No' },
];

/** The form's fields as the JSON body POST /admin/reports takes: an empty field is left out, so the API's default applies. */
export function reportRequestBody(form: URLSearchParams): Record<string, unknown> {
  const recipients = textList(form, 'recipients');
  return defined({
    start: optionalText(form, 'start'),
    end: optionalText(form, 'end'),
    resourceGroupBy: optionalText(form, 'resourceGroupBy'),
    dateGroupBy: optionalText(form, 'dateGroupBy'),
    includeSandbox: checkbox(form, 'includeSandbox'),
    recipients: recipients.length === 0 ? undefined : recipients,
    email: optionalBoolean(form, 'email'),
    archive: optionalBoolean(form, 'archive'),
  });
}

function requestForm(request: PageRequest, values: Readonly<Record<string, string>>, errors: FieldErrors): SafeHtml {
  const value = (name: string) => values[name] ?? '';
  return html`${errorSummary(errors, LABELS)}
    <form class="form" method="post" action="/ui/reports/new" novalidate>
      ${csrfField(request)}
      <fieldset>
        <legend>Period</legend>
        ${textField({
          name: 'start',
          label: LABELS.start,
          value: value('start'),
          hint: 'An ISO 8601 date-time with its offset (Z for UTC). Empty: the start of the previous whole UTC month, or of the month of End.',
          errors,
        })}
        ${textField({
          name: 'end',
          label: LABELS.end,
          value: value('end'),
          hint: 'After Start. Empty: the end of the previous whole UTC month (or now, when Start is given).',
          errors,
        })}
      </fieldset>
      <fieldset>
        <legend>Grouping</legend>
        ${selectField({
          name: 'resourceGroupBy',
          label: LABELS.resourceGroupBy,
          value: value('resourceGroupBy'),
          options: [
            { value: '', label: "Losant's default (organization)" },
            { value: 'organization', label: 'Organization' },
            { value: 'application', label: 'Application' },
          ],
          errors,
        })}
        ${selectField({
          name: 'dateGroupBy',
          label: LABELS.dateGroupBy,
          value: value('dateGroupBy'),
          options: [
            { value: '', label: "Losant's default (day)" },
            { value: 'day', label: 'Day' },
            { value: 'month', label: 'Month' },
          ],
          errors,
        })}
        ${checkboxField({ name: 'includeSandbox', label: LABELS.includeSandbox, checked: value('includeSandbox') === 'true', errors })}
      </fieldset>
      <fieldset>
        <legend>Delivery</legend>
        ${textareaField({
          name: 'recipients',
          label: LABELS.recipients,
          value: value('recipients'),
          hint: 'Email addresses, separated by commas or new lines (at most 10). Empty: the service’s REPORT_EMAIL_TO.',
          errors,
        })}
        ${selectField({ name: 'email', label: LABELS.email, value: value('email'), options: withDefault('Default'), hint: 'Default: yes when there are recipients.', errors })}
        ${selectField({ name: 'archive', label: LABELS.archive, value: value('archive'), options: withDefault('Default'), hint: 'Default: yes. The CSV is kept in the archive.', errors })}
      </fieldset>
      <button type="submit">Request report</button>
    </form>`;
}

/** Losant did not take the request: what it said, where the report is recorded, and the form to try again. */
function refusal(request: PageRequest, result: Extract<RequestReportResult, { ok: false }>, values: Readonly<Record<string, string>>): PageView {
  const lost = result.error.code === 'losant_outcome_unknown';
  return {
    status: httpStatusOf(result.error.code),
    title: lost ? 'Losant’s answer was lost' : 'Losant refused the report',
    body: html`<div class="notice notice-error" role="alert">
        <p>
          ${
            lost
              ? 'Losant may or may not have queued the report: its answer did not come. The report is kept waiting for its callback, and turns overdue if none comes.'
              : 'Losant refused the request; the report is recorded as failed.'
          }
        </p>
        <p>Code <code>${result.error.code}</code>: ${result.error.message}</p>
        <p><a href="${reportHref(result.record.id)}">Report ${result.record.id}, as recorded</a></p>
      </div>
      <h2>Try again</h2>
      ${requestForm(request, values, NO_ERRORS)}`,
  };
}

/** /ui/reports/new: the admin API's report request as a form, checked by the same schema. */
export const newReportPage: UiPage = {
  path: '/reports/new',
  title: 'New report',
  nav: 'New report',
  register(routes, deps) {
    routes.get('/reports/new', (request) => Promise.resolve({ body: requestForm(request, {}, NO_ERRORS) }));

    routes.post('/reports/new', async (request) => {
      const values = typedValues(request.form);
      const invalid = (error: ValidationError): PageView => ({ status: 400, body: requestForm(request, values, errorsByField(error)) });
      let result: RequestReportResult;
      try {
        result = await deps.requestReport(parseReportRequest(reportRequestBody(request.form)));
      } catch (error) {
        if (error instanceof ValidationError) return invalid(error);
        throw error;
      }
      if (result.ok) return { redirect: reportHref(result.record.id) };
      return refusal(request, result, values);
    });
  },
};
