import { html, type SafeHtml } from './html.js';

export interface NavItem {
  label: string;
  /** The full path, e.g. /ui/reports. */
  href: string;
}

export interface PageShell {
  title: string;
  body: SafeHtml;
  /** The links of the nav; empty on the sign-in page. */
  nav: readonly NavItem[];
  /** The path asked for, to mark the current nav item. */
  currentPath: string;
  /** The session's CSRF token, for the sign-out form; null when signed out. */
  csrfToken: string | null;
  /** Browser ES modules under /ui/assets/. */
  scripts?: readonly string[];
  /** Classic scripts under /ui/assets/vendor/, loaded (deferred) before the modules. */
  vendor?: readonly string[];
}

/** A script or module file name: plain names only, so no page can point a script anywhere else. */
const SCRIPT_NAME = /^[a-z0-9][a-z0-9.-]*\.js$/u;

function scriptName(name: string): string {
  if (!SCRIPT_NAME.test(name)) throw new Error(`not a script name under /ui/assets: ${name}`);
  return name;
}

/**
 * The page shell every dashboard page shares: one stylesheet, the page's own modules, a nav built
 * from the page list, a sign-out form, a skip link to <main>. It has no inline script or style, so
 * the Content-Security-Policy can forbid both.
 */
export function renderPage(shell: PageShell): SafeHtml {
  const isCurrent = (item: NavItem) => item.href === shell.currentPath || (item.href !== '/ui' && shell.currentPath.startsWith(`${item.href}/`));
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${shell.title} · report-relay</title>
    <link rel="icon" href="/ui/assets/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/ui/assets/app.css" />
    ${(shell.vendor ?? []).map((name) => html`<script defer src="/ui/assets/vendor/${scriptName(name)}"></script>`)}
    ${(shell.scripts ?? []).map((name) => html`<script type="module" src="/ui/assets/${scriptName(name)}"></script>`)}
  </head>
  <body>
    <a class="skip-link" href="#main">Skip to content</a>
    <header class="site-header">
      <a class="brand" href="/ui">report-relay</a>
      ${
        shell.nav.length > 0 &&
        html`<nav aria-label="Dashboard">
        <ul>
          ${shell.nav.map((item) => html`<li><a href="${item.href}"${isCurrent(item) && html` aria-current="page"`}>${item.label}</a></li>`)}
        </ul>
      </nav>`
      }
      ${
        shell.csrfToken !== null &&
        html`<form class="sign-out" method="post" action="/ui/sign-out">
        <input type="hidden" name="_csrf" value="${shell.csrfToken}" />
        <button type="submit">Sign out</button>
      </form>`
      }
    </header>
    <main id="main" tabindex="-1">
      <h1>${shell.title}</h1>
      ${shell.body}
    </main>
  </body>
</html>
`;
}
