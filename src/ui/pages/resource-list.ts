import { ValidationError } from '../../errors.js';
import { parseBackfillRequest } from '../../trends/index.js';
import type { KnownResource, ResourceKind } from '../../usage/resource-history.js';
import type { UiDeps } from '../deps.js';
import { errorsByField, NO_ERRORS } from '../field-errors.js';
import { typedValues } from '../form-input.js';
import { reportHref, timeTag } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import type { PageRequest, PageRoutes, PageView, UiPage } from '../page.js';
import { KINDS, resourceHref, resourceListHref } from '../resource-kinds.js';
import { backfillFailure, backfillOutcome, backfillOutcomeHref, backfillRequestBody, type BackfillFormState } from '../trends/backfill-form.js';
import { trendsSection } from '../trends/trends-section.js';

/** Resources per page of the list, and matches shown for a search. */
const PAGE_SIZE = 50;
/** Longer searches are refused: nothing is named that long, and the text goes to Redis. */
const MAX_SEARCH_LENGTH = 200;

/** ?page=N (1 when absent): a whole number from 1. */
function pageNumber(query: URLSearchParams): number {
  const text = query.get('page');
  if (text === null || text === '') return 1;
  if (!/^[1-9]\d{0,5}$/u.test(text)) throw new ValidationError('page must be a whole number from 1');
  return Number(text);
}

function searchText(query: URLSearchParams): string {
  const text = (query.get('q') ?? '').trim();
  if (text.length > MAX_SEARCH_LENGTH) throw new ValidationError(`a search is at most ${MAX_SEARCH_LENGTH} characters`);
  return text;
}

/** Links to the other kind's list: the same page for applications. */
function kindSwitch(current: ResourceKind): SafeHtml {
  return html`<nav class="kind-switch" aria-label="Kind of resource">
    <ul>
      ${Object.values(KINDS).map(
        (words) => html`<li><a href="${resourceListHref(words.kind)}"${words.kind === current && html` aria-current="page"`}>${words.many}</a></li>`,
      )}
    </ul>
  </nav>`;
}

function searchForm(kind: ResourceKind, text: string): SafeHtml {
  const words = KINDS[kind];
  return html`<form class="search" method="get" action="${resourceListHref(kind)}" role="search">
    <label for="resource-search">Search ${words.many.toLowerCase()} by name or id</label>
    <div class="search-row">
      <input id="resource-search" name="q" type="search" value="${text}" maxlength="${MAX_SEARCH_LENGTH}" autocomplete="off" />
      <button type="submit">Search</button>
    </div>
  </form>`;
}

function resourceTable(kind: ResourceKind, items: readonly KnownResource[], caption: string): SafeHtml {
  return html`<div class="table-wrap">
    <table>
      <caption>
        ${caption}
      </caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Id</th>
          <th scope="col">Latest report</th>
          <th scope="col">Its period from</th>
        </tr>
      </thead>
      <tbody>
        ${items.map(
          (item) => html`<tr>
            <th scope="row"><a href="${resourceHref(kind, item.id)}">${item.name}</a></th>
            <td data-label="Id"><code>${item.id}</code></td>
            <td data-label="Latest report"><a href="${reportHref(item.latestReportId)}">${item.latestReportId}</a></td>
            <td data-label="Period from">${timeTag(item.latestPeriodStart)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function pager(kind: ResourceKind, page: number, pages: number): SafeHtml {
  if (pages <= 1) return html``;
  const href = (to: number) => `${resourceListHref(kind)}?page=${to}`;
  return html`<nav class="pager" aria-label="Pages">
    ${page > 1 ? html`<a href="${href(page - 1)}" rel="prev">Previous</a>` : html`<span class="muted">Previous</span>`}
    <span>Page ${page} of ${pages}</span>
    ${page < pages ? html`<a href="${href(page + 1)}" rel="next">Next</a>` : html`<span class="muted">Next</span>`}
  </nav>`;
}

/**
 * The list of one kind: a search's matches, or a page of every known resource in name order. The
 * organizations' list (not a search) also has the top movers and the backfill form, in `backfill`'s
 * state (after a post) or with the outcome a redirect names.
 */
async function listView(deps: UiDeps, kind: ResourceKind, request: PageRequest, backfill?: BackfillFormState & { status: number }): Promise<PageView> {
  const words = KINDS[kind];
  const text = searchText(request.query);
  const head = html`${kindSwitch(kind)} ${searchForm(kind, text)}`;
  if (text !== '') {
    const found = await deps.usage.resources.searchResources(kind, text, { limit: PAGE_SIZE });
    return {
      title: words.many,
      body: html`${head}
        <p><a href="${resourceListHref(kind)}">Show all ${words.many.toLowerCase()}</a></p>
        ${
          found.length === 0
            ? html`<p class="empty">No ${words.one.toLowerCase()} has that id or a name starting with it.</p>`
            : resourceTable(kind, found, `${words.many} whose id is “${text}” or whose name starts with it (at most ${PAGE_SIZE})`)
        }`,
    };
  }
  const page = pageNumber(request.query);
  const { items, total } = await deps.usage.resources.listResources(kind, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const trends =
    kind === 'organization' ? await trendsSection(deps, request, backfill ?? { values: {}, errors: NO_ERRORS, notice: backfillOutcome(request.query) }) : null;
  return {
    title: words.many,
    ...(backfill === undefined ? {} : { status: backfill.status }),
    body: html`${
      trends === null
        ? head
        : html`${kindSwitch(kind)} ${trends}
            <h2>All ${words.many.toLowerCase()}</h2>
            ${searchForm(kind, text)}`
    }
      ${
        total === 0
          ? html`<p class="empty">No kept report names an ${words.one.toLowerCase()} yet: the list is learned from reports grouped by ${words.one.toLowerCase()} as they are summarized.</p>`
          : html`${resourceTable(kind, items, `${total} ${words.many.toLowerCase()} named in kept reports, by name; ${PAGE_SIZE} a page`)} ${pager(kind, page, pages)}`
      }`,
  };
}

function registerList(routes: PageRoutes, deps: UiDeps, kind: ResourceKind): void {
  routes.get(`/${KINDS[kind].segment}`, (request) => listView(deps, kind, request));
}

/**
 * POST /ui/organizations/backfill: the admin API's backfill, checked by its schema. Done: back to
 * the organizations with the outcome (post/redirect/get). Refused: the list again, with the
 * months' error at the field or Losant's failure above the form, what was typed kept.
 */
function registerBackfill(routes: PageRoutes, deps: UiDeps): void {
  routes.post('/organizations/backfill', async (request) => {
    const values = typedValues(request.form);
    const again = { ...request, query: new URLSearchParams() };
    try {
      const result = await deps.trends.backfill(parseBackfillRequest(backfillRequestBody(request.form)));
      return { redirect: backfillOutcomeHref(result) };
    } catch (error) {
      if (error instanceof ValidationError) return listView(deps, 'organization', again, { values, errors: errorsByField(error), notice: null, status: 400 });
      const failure = backfillFailure(error);
      if (failure === null) throw error;
      return listView(deps, 'organization', again, { values, errors: NO_ERRORS, notice: failure.notice, status: failure.status });
    }
  });
}

/**
 * /ui/organizations (and /ui/applications, one link away): every organization or application the
 * kept reports named, by name, searchable by id or the start of a name; for organizations also the
 * month-over-month movers and the backfill of their months from Losant.
 */
export const organizationsPage: UiPage = {
  path: '/organizations',
  title: 'Organizations',
  nav: 'Organizations',
  register(routes, deps) {
    registerList(routes, deps, 'organization');
    registerList(routes, deps, 'application');
    registerBackfill(routes, deps);
  },
};
