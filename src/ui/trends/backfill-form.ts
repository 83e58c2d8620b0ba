import { httpStatusOf } from '../../http/error-status.js';
import { BackfillError, DEFAULT_BACKFILL_MONTHS, type BackfillResult } from '../../trends/index.js';
import { MAX_MONTHS_PER_ORGANIZATION } from '../../usage/organization-months.js';
import type { FieldErrors } from '../field-errors.js';
import { errorSummary, textField } from '../fields.js';
import { defined, optionalNumber } from '../form-input.js';
import { csrfField } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import type { PageRequest } from '../page.js';

/*
 * The dashboard's "Backfill from Losant": the admin API's POST /admin/insights/backfill as a form,
 * checked by the same schema. After a backfill the browser is sent back to the organizations
 * (post/redirect/get) with the outcome's figures in the query, shown from there as numbers only.
 */

/** Where the form posts. */
export const BACKFILL_ACTION = '/ui/organizations/backfill';
/** The id of the form's section: the redirect and the trend pages link to it. */
export const BACKFILL_ANCHOR = 'backfill';
export const BACKFILL_SECTION_HREF = `/ui/organizations#${BACKFILL_ANCHOR}`;

const LABELS: Readonly<Record<'months', string>> = { months: 'Months' };

export interface BackfillFormState {
  /** The fields as typed (after a refused post), else empty. */
  values: Readonly<Record<string, string>>;
  errors: FieldErrors;
  /** What the last backfill did or why it failed, above the form. */
  notice: SafeHtml | null;
}

/** The form's fields as the JSON body the admin API takes: an empty field is left out, so the default (12 months) applies. */
export function backfillRequestBody(form: URLSearchParams): Record<string, unknown> {
  return defined({ months: optionalNumber(form, 'months') });
}

export function backfillForm(request: PageRequest, state: BackfillFormState): SafeHtml {
  return html`${state.notice} ${errorSummary(state.errors, LABELS)}
    <form class="form" method="post" action="${BACKFILL_ACTION}" novalidate>
      ${csrfField(request)}
      ${textField({
        name: 'months',
        label: LABELS.months,
        type: 'number',
        inputmode: 'numeric',
        value: state.values.months ?? String(DEFAULT_BACKFILL_MONTHS),
        hint: `How many complete UTC months before this one to read from Losant's historicalSummaries: 1 to ${MAX_MONTHS_PER_ORGANIZATION}. Their figures replace reports' figures of the same months.`,
        errors: state.errors,
      })}
      <button type="submit">Backfill from Losant</button>
    </form>`;
}

/** The query of the redirect after a backfill: its figures, read back by `backfillOutcome`. */
export function backfillOutcomeHref(result: BackfillResult): string {
  const query = new URLSearchParams({
    backfilled: String(result.months.length),
    from: result.months[0]?.month ?? '',
    to: result.months.at(-1)?.month ?? '',
    organizations: String(result.organizations),
    points: String(result.points),
    truncated: String(result.months.filter((month) => month.truncated).length),
  });
  return `/ui/organizations?${query.toString()}#${BACKFILL_ANCHOR}`;
}

const COUNT = /^\d{1,9}$/u;
const MONTH = /^\d{4}-(?:0[1-9]|1[0-2])$/u;

const plural = (count: number, one: string, many: string) => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;

/**
 * The outcome a redirect after a backfill names in the query; null without one, or when the query
 * is not what backfillOutcomeHref writes (then nothing is shown rather than text from the URL).
 */
export function backfillOutcome(query: URLSearchParams): SafeHtml | null {
  const counts = ['backfilled', 'organizations', 'points', 'truncated'].map((name) => query.get(name) ?? '');
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';
  if (!counts.every((text) => COUNT.test(text)) || !MONTH.test(from) || !MONTH.test(to)) return null;
  const [months = 0, organizations = 0, points = 0, truncated = 0] = counts.map(Number);
  return html`<div class="notice notice-ok" role="status">
    <p>
      Backfilled ${plural(months, 'month', 'months')} from Losant (${from === to ? from : `${from} to ${to}`}):
      ${plural(organizations, 'organization', 'organizations')}, ${plural(points, 'point', 'points')} written.
    </p>
    ${
      truncated > 0 &&
      html`<p>In ${plural(truncated, 'month', 'months')} Losant listed more organizations than are kept a month: the first ones by id were written.</p>`
    }
  </div>`;
}

/**
 * A backfill Losant failed: which month, what Losant said and what was kept, with the answer's
 * status (502, 503, 504...). Anything else thrown is not a Losant failure and goes to the error page.
 */
export function backfillFailure(error: unknown): { status: number; notice: SafeHtml } | null {
  if (!(error instanceof BackfillError)) return null;
  return {
    status: httpStatusOf(error.code),
    notice: html`<div class="notice notice-error" role="alert">
      <p>The backfill from Losant failed.</p>
      <p>Code <code>${error.code}</code>: ${error.message}</p>
    </div>`,
  };
}
