import { renderHtml } from './render-html.js';
import { renderText } from './render-text.js';
import { buildReportView, type ReportEmailInput } from './report-view.js';

export type { ReportEmailInput } from './report-view.js';

export interface RenderedEmail {
  /** One line, free of control characters: safe to put in a header. */
  subject: string;
  html: string;
  text: string;
}

/** The report email: a self-contained HTML part and a plain-text part with the same content. */
export function renderReportEmail(input: ReportEmailInput): RenderedEmail {
  const view = buildReportView(input);
  return { subject: view.subject, html: renderHtml(view), text: renderText(view) };
}
