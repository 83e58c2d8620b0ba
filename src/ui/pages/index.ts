/**
 * The dashboard's pages, in nav order. A page is one file here exporting a UiPage
 * (src/ui/page.ts) and one line in PAGES below:
 *
 *   // src/ui/pages/reports.ts
 *   export const reportsPage: UiPage = {
 *     path: '/reports',            // the nav's link, under /ui
 *     title: 'Reports',
 *     nav: 'Reports',              // leave out for pages reached through links (/reports/:id)
 *     register(routes, deps) {
 *       routes.get('/reports', async (request) => ({ body: html`...` }));
 *       routes.post('/reports/:id/retry', async (request) => {
 *         await deps.retryReport(request.params.id ?? '');
 *         return { redirect: `/ui/reports/${encodeURIComponent(request.params.id ?? '')}` };
 *       });
 *     },
 *   };
 *
 * What the frame does, so a page need not:
 * - every handler runs for a signed-in session only (else GET → /ui/sign-in, other methods → 401);
 * - `post` handlers run only after the CSRF checks (Origin or Sec-Fetch-Site, and the session's
 *   token); put `${csrfField(request)}` (src/ui/forms.ts) in every <form method="post">, and read
 *   the fields from `request.form`;
 * - the answer's `body` is rendered in the page shell (src/ui/layout.ts): title, nav, sign-out;
 *   a `{ redirect }` answer sends 303 See Other (post/redirect/get);
 * - thrown errors become an error page with the status of their code (NotFoundError → 404,
 *   ValidationError → 400, ConflictError → 409, ForbiddenError → 403), their message shown
 *   for 4xx only;
 * - pages are sent with Cache-Control: no-store and a strict CSP: no inline script, style or
 *   event handler attribute. Client code is a browser ES module in src/ui/assets/ named in the
 *   answer's `scripts` (served from /ui/assets/, eslint knows the browser's globals there);
 *   ECharts is `vendor: ['echarts.min.js']` (window.echarts). Data for a module comes from a
 *   `routes.getJson('/x.json', ...)` route or from data-* attributes, never an inline script.
 *
 * Build markup only with `html\`...\`` (src/ui/html.ts): it escapes what it interpolates. Reach
 * data through `deps` (src/ui/deps.ts), the same services the admin API uses. Link reports as
 * /ui/reports/<id> and schedules as /ui/schedules/<id>. A page's test goes in test/browser/ (see
 * test/browser/helpers/browser.ts: it fails on any console error or CSP violation).
 *
 * Queues (/ui/queues) is not a page here: it is bull-board's own app (src/ui/queue-board.ts),
 * mounted by the router behind the same sign-in and CSRF checks, with a nav link of its own.
 */
import type { UiPage } from '../page.js';
import { newReportPage } from './new-report.js';
import { overviewPage } from './overview.js';
import { reportPage } from './report.js';
import { reportsPage } from './reports.js';
import { organizationsPage } from './resource-list.js';
import { applicationPage, organizationPage } from './resource-usage.js';
import { schedulesPage } from './schedules.js';

// The new-report page before the report page: /reports/new must not be taken for a report id.
export const PAGES: readonly UiPage[] = [
  overviewPage,
  reportsPage,
  newReportPage,
  reportPage,
  organizationsPage,
  organizationPage,
  applicationPage,
  schedulesPage,
];
