import { html, type SafeHtml } from './html.js';

/** The hidden field that carries the session's CSRF token: put it in every form that POSTs. */
export function csrfField(request: { csrfToken: string }): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${request.csrfToken}" />`;
}
