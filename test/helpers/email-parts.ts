import assert from 'node:assert/strict';
import type { Attachment, ParsedMail } from 'mailparser';

/**
 * A report email's parts as a test reads them: the inline chart the template adds (one PNG named
 * chart.png, shown by its Content-ID) apart from the files attached. mailparser turns a cid:
 * picture into a data: URL in `html`, so both forms are recognized.
 */

const isChart = (attachment: Attachment) => attachment.contentType === 'image/png' && attachment.filename === 'chart.png';

/** The attached files, the inline chart left out; fails when any other inline picture is there. */
export function attachedFiles(parsed: ParsedMail): Attachment[] {
  const pictures = parsed.attachments.filter((attachment) => attachment.contentType.startsWith('image/'));
  assert.ok(pictures.length <= 1 && pictures.every(isChart), `the only picture is the chart: ${pictures.map((p) => p.filename).join(', ')}`);
  return parsed.attachments.filter((attachment) => !isChart(attachment));
}

/** The HTML part without the template's own chart <img>, for checks that no markup came from the data. */
export function htmlWithoutChart(parsed: ParsedMail): string {
  let html = String(parsed.html);
  for (const chart of parsed.attachments.filter(isChart)) {
    const sources = [`cid:${chart.cid ?? ''}`, `data:image/png;base64,${chart.content.toString('base64')}`];
    html = html.replace(/<img src="([^"]*)"[^>]*>/gu, (tag, src: string) => (sources.includes(src) ? '' : tag));
  }
  return html;
}
