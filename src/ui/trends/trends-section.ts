import type { UiDeps } from '../deps.js';
import { html, type SafeHtml } from '../html.js';
import type { PageRequest } from '../page.js';
import { BACKFILL_ANCHOR, backfillForm, type BackfillFormState } from './backfill-form.js';
import { moversSection } from './movers-section.js';

/** The organizations list's month-over-month part: the top movers, and the form that fills the months from Losant. */
export async function trendsSection(deps: Pick<UiDeps, 'trends'>, request: PageRequest, form: BackfillFormState): Promise<SafeHtml> {
  const movers = await deps.trends.movers();
  return html`${moversSection(movers)}
    <section id="${BACKFILL_ANCHOR}" aria-labelledby="backfill-title">
      <h2 id="backfill-title">Backfill from Losant</h2>
      <p>
        Each organization's months come from delivered reports grouped by organization, and from Losant's own monthly summaries
        (historicalSummaries), which this reads for the months asked for.
      </p>
      ${backfillForm(request, form)}
    </section>`;
}
