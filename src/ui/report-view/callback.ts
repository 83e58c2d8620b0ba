import { formatBytes, formatNumber } from '../../delivery/format.js';
import type { ReportView } from '../../http/contract/report-view.js';
import { timeTag } from '../format.js';
import { html, type SafeHtml } from '../html.js';

/**
 * The callback as received, as the admin API shows it (src/http/contract/report-view.ts): what
 * came, when, with which headers, and how it was read; the body itself is a download.
 */
export function callbackSection(view: ReportView, bodyHref: string): SafeHtml {
  const { callback, interpretation } = view;
  if (callback === null) {
    return html`<section aria-labelledby="callback-title">
      <h2 id="callback-title">Callback</h2>
      <p class="empty">Losant has not called back for this report yet.</p>
    </section>`;
  }
  const headers = Object.entries(callback.headers);
  return html`<section aria-labelledby="callback-title">
    <h2 id="callback-title">Callback as received</h2>
    <dl class="facts">
      <div><dt>Received</dt><dd>${timeTag(callback.receivedAt)}</dd></div>
      <div><dt>Content type</dt><dd><code>${callback.contentType ?? 'none'}</code></dd></div>
      <div><dt>Encoding</dt><dd><code>${callback.contentEncoding ?? 'identity'}</code></dd></div>
      <div><dt>Size</dt><dd>${formatBytes(callback.bytes)}</dd></div>
      <div><dt>Losant job</dt><dd><code>${callback.jobId ?? '—'}</code></dd></div>
      <div><dt>Repeated deliveries</dt><dd>${formatNumber(callback.duplicates)}</dd></div>
      <div class="wide"><dt>SHA-256</dt><dd><code class="hash">${callback.sha256}</code></dd></div>
      ${
        interpretation !== null &&
        html`<div class="wide">
          <dt>Read as</dt>
          <dd>
            ${interpretation.kind}${interpretation.urlCount !== undefined && html`, ${interpretation.urlCount} download link(s)`}${
              interpretation.reason !== undefined && html`: ${interpretation.reason}`
            }${interpretation.error !== undefined && html`: ${interpretation.error.name}: ${interpretation.error.message}`}
          </dd>
        </div>`
      }
    </dl>
    <p><a href="${bodyHref}" download>Download the callback's body</a> <span class="muted">(as it arrived, ${formatBytes(callback.bytes)})</span></p>
    <details class="figures">
      <summary>Its ${headers.length} request headers${callback.headersDropped > 0 && html` (${callback.headersDropped} more left out)`}</summary>
      <div class="table-wrap">
        <table>
          <caption>
            The callback's request headers, credentials redacted
          </caption>
          <thead>
            <tr>
              <th scope="col">Header</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            ${headers.map(
              ([name, value]) => html`<tr>
                <th scope="row"><code>${name}</code></th>
                <td data-label="Value" class="message"><code>${value}</code></td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </details>
  </section>`;
}
