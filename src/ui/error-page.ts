import type { ErrorRequestHandler } from 'express';
import { AppError } from '../errors.js';
import { httpStatusOf } from '../http/error-status.js';
import type { Logger } from '../log.js';
import { html } from './html.js';
import { renderPage, type NavItem } from './layout.js';
import { sessionOf } from './session-gate.js';

/** A status set by Express's own parts (static files, body reading): 404, 413, 400... */
function statusOfPlainError(error: unknown): number {
  const status = typeof error === 'object' && error !== null && 'status' in error ? error.status : undefined;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Refused',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  429: 'Too many requests',
};

/**
 * Errors under /ui as an HTML page with the status of their code (src/http/error-status.ts). The
 * message of a 4xx is shown (it is written for the user); a 5xx says only that something failed
 * and is logged. JSON routes of pages answer errors as JSON, like the admin API.
 */
export function uiErrorPage(logger: Logger, nav: readonly NavItem[]): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const status = error instanceof AppError ? httpStatusOf(error.code) : statusOfPlainError(error);
    if (status >= 500) logger.warn({ err: error }, 'dashboard request failed');
    if (res.headersSent) return;
    const message = status < 500 && error instanceof Error ? error.message : 'Something went wrong on the server; it has been logged. Try again shortly.';
    if (req.path.endsWith('.json')) {
      res.status(status).json({ error: { code: error instanceof AppError ? error.code : 'internal', message } });
      return;
    }
    const current = sessionOf(res);
    const body = html`<p class="notice notice-error" role="alert">${message}</p>
      <p>${current ? html`<a href="/ui">Back to the overview</a>` : html`<a href="/ui/sign-in">Sign in</a>`}</p>`;
    res
      .status(status)
      .type('html')
      .send(
        renderPage({
          title: TITLES[status] ?? 'Error',
          body,
          nav: current ? nav : [],
          currentPath: req.originalUrl,
          csrfToken: current?.session.csrfToken ?? null,
        }).value,
      );
  };
}
