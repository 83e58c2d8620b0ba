import type { Readable } from 'node:stream';
import type { SafeHtml } from './html.js';
import type { UiDeps } from './deps.js';

/**
 * One page of the dashboard (see src/ui/pages/index.ts for how to add one).
 */
export interface UiPage {
  /** Where the nav links to, under /ui: '/' for /ui, '/reports' for /ui/reports. */
  path: string;
  /** The page's title (the document title is "<title> · report-relay"). */
  title: string;
  /** The nav's label for `path`; leave it out for pages reached through links (one report, a form). */
  nav?: string;
  /** Registers the page's handlers; paths are under /ui and use Express's syntax ('/reports/:id'). */
  register(routes: PageRoutes, deps: UiDeps): void;
}

/**
 * How a page adds handlers. Every one runs only for a signed-in session; a `post` handler runs
 * only once the request passed the CSRF checks (Origin and the session's token), with its form
 * fields parsed. Errors thrown (NotFoundError, ValidationError, ...) become an error page with
 * the status of their code.
 */
export interface PageRoutes {
  get(path: string, handler: PageHandler): void;
  post(path: string, handler: PageHandler): void;
  /** Data for a page's client module (e.g. a chart's series), answered as JSON. */
  getJson(path: string, handler: (request: PageRequest) => Promise<unknown>): void;
  /** A file to download (an archived CSV, a kept callback): streamed, always as an attachment, never shown as a page. */
  getFile(path: string, handler: (request: PageRequest) => Promise<FileAnswer>): void;
}

export interface FileAnswer {
  /** The name the browser saves it as: plain characters only (it goes into Content-Disposition). */
  filename: string;
  contentType: string;
  body: Buffer | Readable;
  /** More headers, e.g. what a kept body was sent as. */
  headers?: Readonly<Record<string, string>>;
}

export type PageHandler = (request: PageRequest) => Promise<PageAnswer>;

export interface PageRequest {
  /** The route's parameters ('/reports/:id' gives params.id), as sent: check them. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** A POST's form fields (empty for a GET); `_csrf` is already checked. */
  form: URLSearchParams;
  /** The session's CSRF token: put it in every form as `csrfField(request)` does. */
  csrfToken: string;
}

/** A page to show, or where to send the browser (after a POST: 303 See Other). */
export type PageAnswer = PageView | { redirect: string };

export interface PageView {
  /** Overrides the page's title for this answer (e.g. the report's id). */
  title?: string;
  /** What goes into <main>, below the title. */
  body: SafeHtml;
  status?: number;
  /**
   * Browser ES modules this page loads, by name under src/ui/assets/ ('overview-chart.js');
   * `vendor` names classic scripts under /ui/assets/vendor/ ('echarts.min.js') loaded before them.
   */
  scripts?: readonly string[];
  vendor?: readonly string[];
}
