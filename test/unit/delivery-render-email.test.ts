import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml } from '../../src/delivery/html.js';
import { renderReportEmail, type ReportEmailInput } from '../../src/delivery/render-email.js';
import type { ReportSummary, SummaryComparison } from '../../src/summary/types.js';

const EVIL_NAME = '<script>alert(1)</script> & "Co"';
const FORMULA = '=HYPERLINK("http://x")';

function makeSummary(overrides: Partial<ReportSummary> = {}): ReportSummary {
  return {
    rows: 1240,
    badRowCount: 0,
    badRows: [],
    columns: [
      'resourceType',
      'resourceId',
      'resourceName',
      'currentPeriodStart',
      'deviceCount',
      'payloadBillableCount',
      'payloadBillableSizeMb',
      'customTagCount',
    ],
    period: { start: '2026-10-01T00:00:00.000Z', end: '2026-10-31T00:00:00.000Z' },
    grouping: { resource: 'organization', date: 'day' },
    resourceCount: 40,
    resourcesCapped: 0,
    // deviceCount summed over 31 daily rows: device-days, which the email must never show.
    totals: { customTagCount: 3, deviceCount: 85_306, payloadBillableCount: 98765432, payloadBillableSizeMb: 1234.5678 },
    levels: {
      customTagCount: { peak: 3, latest: 3, peakPeriod: '2026-10-01T00:00:00.000Z' },
      deviceCount: { peak: 2_810, latest: 2_790, peakPeriod: '2026-10-14T00:00:00.000Z' },
    },
    levelsUnavailable: null,
    top: [
      {
        column: 'payloadBillableCount',
        label: 'Billable payloads',
        entries: [
          { id: '5f1e3a2b4c5d6e7f8a9b0c01', name: 'Acme Industrial', value: 50_000_000, share: 0.5062 },
          { id: '5f1e3a2b4c5d6e7f8a9b0c02', name: 'Globex', value: 20_000_000, share: 0.2025 },
          { id: '5f1e3a2b4c5d6e7f8a9b0c03', name: 'Initech', value: 0, share: 0 },
        ],
      },
    ],
    periodSeries: null,
    ...overrides,
  };
}

const COMPARISON: SummaryComparison = {
  previousReportId: 'rep_100',
  previousPeriod: { start: '2026-09-01T00:00:00.000Z', end: '2026-09-30T00:00:00.000Z' },
  totals: {
    deviceCount: { previous: 2_712, current: 2_790, delta: 78, ratio: 0.02876 },
    payloadBillableCount: { previous: 100_000_000, current: 98_765_432, delta: -1_234_568, ratio: -0.01234568 },
  },
};

function makeInput(overrides: Partial<ReportEmailInput> = {}): ReportEmailInput {
  return {
    reportId: 'rep_123',
    instanceId: '5f1e3a2b4c5d6e7f8a9b0c1d',
    request: { resourceGroupBy: 'organization', dateGroupBy: 'day', includeSandbox: false, scheduleName: 'Monthly billing' },
    summary: makeSummary(),
    comparison: COMPARISON,
    archiveLocation: 'file:/var/data/archive/reports/2026/11/rep_123/report.csv',
    attachment: { filename: 'report.csv.gz', bytes: 3_456_789, compressed: true },
    generatedAt: new Date('2026-11-26T04:55:12Z'),
    ...overrides,
  };
}

/** The totals section of either part: from its heading to the next section. */
function totalsSection(part: string): string {
  const start = part.search(/>Totals<|^TOTALS$/mu);
  assert.ok(start >= 0, 'the email has a totals section');
  const end = part.slice(start).search(/>Top |^TOP /mu);
  return end < 0 ? part.slice(start) : part.slice(start, start + end);
}

function withTopNames(...names: string[]): ReportSummary {
  return makeSummary({
    top: [
      {
        column: 'payloadBillableCount',
        label: 'Billable payloads',
        entries: names.map((name, index) => ({ id: `id-${index}`, name, value: 100 - index, share: (100 - index) / 1000 })),
      },
    ],
  });
}

const ALLOWED_TAGS = new Set(['!doctype', 'html', 'head', 'meta', 'title', 'body', 'table', 'tr', 'td', 'th', 'div', 'p', 'strong', 'ul', 'li']);

/** The real tags of a document (escaped text such as "&lt;img" is not a tag), with their attributes. */
function tagsIn(html: string): Array<{ name: string; attributes: string }> {
  return [...html.matchAll(/<\/?([!a-z][a-z0-9]*)([^>]*)>/giu)].map((match) => ({ name: (match[1] ?? '').toLowerCase(), attributes: match[2] ?? '' }));
}

void describe('report email rendering', () => {
  void test('a realistic summary renders a subject, an HTML part and a text part with the figures', () => {
    const email = renderReportEmail(makeInput());

    assert.equal(email.subject, 'Losant usage report 2026-10-01 to 2026-10-31, by organization, per day (Monthly billing)');
    for (const part of [email.html, email.text]) {
      assert.match(part, /2026-10-01 to 2026-10-31/u);
      assert.match(part, /by organization, per day/u);
      assert.match(part, /98,765,432/u);
      assert.match(part, /2,810/u);
      assert.match(part, /2,790/u);
      assert.match(part, /1,234\.57/u);
      assert.match(part, /Acme Industrial/u);
      assert.match(part, /50,000,000/u);
      assert.match(part, /rep_123/u);
      assert.match(part, /file:\/var\/data\/archive\/reports\/2026\/11\/rep_123\/report\.csv/u);
      assert.match(part, /report\.csv\.gz \(3\.3 MB, gzip-compressed\)/u);
    }
    assert.match(email.html, /Top organizations by billable payloads/u);
    assert.match(email.text, /TOP ORGANIZATIONS BY BILLABLE PAYLOADS/u);
  });

  void test('the HTML is self-contained: inline styles only, no scripts, images, links or style blocks', () => {
    const { html } = renderReportEmail(makeInput({ summary: withTopNames(EVIL_NAME, '<img src=x onerror=alert(1)>', '<a href="http://evil">x</a>') }));

    const tags = tagsIn(html);
    assert.ok(tags.length > 50);
    assert.deepEqual(
      tags.filter((tag) => !ALLOWED_TAGS.has(tag.name)).map((tag) => tag.name),
      [],
    );
    assert.deepEqual(
      tags.filter((tag) => /\b(?:src|href|on\w+)\s*=/iu.test(tag.attributes)),
      [],
    );
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the name is shown as text');
  });

  void test('totals come first by importance, with human labels', () => {
    const { html, text } = renderReportEmail(makeInput());

    const order = ['Billable payloads', 'Billable payload size (MB)', 'Devices', 'Custom tag count'];
    for (const part of [html, text]) {
      const positions = order.map((label) => part.indexOf(label));
      assert.ok(
        positions.every((position) => position >= 0),
        `all labels present: ${positions.join(',')}`,
      );
      assert.deepEqual(
        [...positions].sort((a, b) => a - b),
        positions,
      );
    }
  });

  void test('an organization named with markup appears escaped in the HTML and never as a raw tag', () => {
    const { html, text } = renderReportEmail(makeInput({ summary: withTopNames(EVIL_NAME) }));

    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;'));
    assert.ok(!html.includes('<script'));
    assert.ok(!html.includes(EVIL_NAME));
    assert.ok(text.includes(EVIL_NAME), 'the text part shows the name as it is');
  });

  void test('every value from the CSV or the request is escaped, including ids, columns, reasons and the schedule name', () => {
    const summary = makeSummary({
      badRowCount: 1,
      badRows: [{ line: 7, reason: 'bad value "<b>x</b>"' }],
      totals: { "<i>col's</i>": 5 },
      top: [{ column: '<u>c</u>', label: '<em>label</em>', entries: [{ id: "<id'1>", name: 'n', value: 1, share: 1 }] }],
    });
    const { html } = renderReportEmail(
      makeInput({
        summary,
        comparison: null,
        instanceId: '<inst>',
        reportId: '<rep>',
        request: { scheduleName: '<sched>' },
        archiveLocation: '<loc>',
        attachment: { omittedReason: '<too big>' },
      }),
    );

    for (const raw of ['<b>', '<i>', '<u>', '<em>', "<id'1>", '<inst>', '<rep>', '<sched>', '<loc>', '<too big>']) {
      assert.ok(!html.includes(raw), `${raw} must not appear unescaped`);
    }
    assert.ok(html.includes('&lt;id&#39;1&gt;'));
    assert.ok(html.includes('&lt;inst&gt;'));
  });

  void test('CR/LF in a schedule name or an organization name does not reach the subject', () => {
    const { subject, text } = renderReportEmail(
      makeInput({ request: { scheduleName: 'Monthly\r\nBcc: attacker@example.com' }, summary: withTopNames('Evil\r\nSubject: hi') }),
    );

    assert.ok(
      Array.from(subject).every((char) => char.charCodeAt(0) >= 0x20),
      'no control characters in the subject',
    );
    assert.equal(subject, 'Losant usage report 2026-10-01 to 2026-10-31, by organization, per day (Monthly Bcc: attacker@example.com)');
    assert.ok(text.includes('Evil Subject: hi'), 'names are shown on one line in the text tables');
  });

  void test('bidi overrides and other invisible control characters in names are shown as U+FFFD in subject, HTML and text', () => {
    const invisible = [
      '\u202A',
      '\u202B',
      '\u202C',
      '\u202D',
      '\u202E',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200E',
      '\u200F',
      '\u200B',
      '\u2060',
      '\uFEFF',
      '\u00AD',
      '\u0007',
      '\u001B',
      '\u0090',
    ];
    // "Acme" with its tail reversed: shown as "Acme gpj.exe" style spoofing without neutralization.
    const orgName = 'Acme \u202Eexe.gpj\u202C Corp';
    const { subject, html, text } = renderReportEmail(
      makeInput({
        request: { resourceGroupBy: 'organization', dateGroupBy: 'day', scheduleName: 'Month\u2066ly\u2069 billing\u200F' },
        summary: withTopNames(orgName, `App${invisible.join('')}Two`),
      }),
    );
    const hidden = /[\p{Cf}\p{Cc}]/gu;
    for (const [part, content] of [
      ['subject', subject],
      ['html', html.replace(/\n/gu, '')],
      ['text', text.replace(/\n/gu, '')],
    ] as const) {
      assert.deepEqual(content.match(hidden) ?? [], [], `${part} has no invisible control characters`);
    }
    assert.equal(subject, 'Losant usage report 2026-10-01 to 2026-10-31, by organization, per day (Month\uFFFDly\uFFFD billing\uFFFD)');
    for (const content of [html, text]) {
      assert.ok(content.includes('Acme \uFFFDexe.gpj\uFFFD Corp'), 'the organization name shows where its controls were');
      assert.ok(content.includes(`App${'\uFFFD'.repeat(invisible.length)}Two`), 'each invisible character becomes one U+FFFD');
    }
    // Ordinary text is untouched: accents, emoji, scripts that need no controls.
    const plain = renderReportEmail(makeInput({ summary: withTopNames('Zürich AG 🚀 日本') }));
    assert.ok(plain.text.includes('Zürich AG 🚀 日本'));
  });

  void test('a formula-looking cell is shown as inert text', () => {
    const { html, text } = renderReportEmail(makeInput({ summary: withTopNames(FORMULA, '+cmd|calc', '@SUM(A1)', '\t-2+3') }));

    assert.ok(html.includes('=HYPERLINK(&quot;http://x&quot;)'));
    assert.ok(!html.includes(FORMULA));
    assert.doesNotMatch(html, /<a\s|href=/iu);
    assert.ok(html.includes('+cmd|calc') && html.includes('@SUM(A1)') && html.includes('-2+3'));
    assert.ok(text.split('\n').some((line) => line.includes(FORMULA)));
  });

  void test('bar widths reflect each entry’s share of the total', () => {
    const { html, text } = renderReportEmail(makeInput());

    const widths = [...html.matchAll(/width:([\d.]+)%;height:10px;background:#2563eb/gu)].map((match) => Number(match[1]));
    assert.deepEqual(widths, [50.6, 20.3], 'one filled bar per non-zero share, as wide as the share');
    assert.match(text, /1 {2}Acme Industrial .*#{10}\.{10} {2}50\.6%/u);
    assert.match(text, /3 {2}Initech .*\.{20} {3}0\.0%/u);
  });

  void test('the text version contains the totals and the levels as aligned tables', () => {
    const { text } = renderReportEmail(makeInput({ comparison: null }));
    const lines = text.split('\n');
    const header = lines.findIndex((line) => /^Metric\s+Total$/u.test(line));

    assert.ok(header >= 0, text);
    const rows = lines.slice(header + 2, header + 4);
    assert.deepEqual(
      rows.map((row) => row.replace(/\s{2,}/gu, '|')),
      ['Billable payloads|98,765,432', 'Billable payload size (MB)|1,234.57'],
    );
    assert.equal(lines[header + 4], '', 'the flow table ends there');
    assert.equal(new Set(rows.map((row) => row.length)).size, 1, 'numbers are right-aligned to one column');

    const levelHeader = lines.findIndex((line) => /^Metric\s+Peak per day\s+Last day$/u.test(line));
    assert.ok(levelHeader > header, text);
    const levelRows = lines.slice(levelHeader + 2, levelHeader + 4);
    assert.deepEqual(
      levelRows.map((row) => row.replace(/\s{2,}/gu, '|')),
      ['Devices|2,810|2,790', 'Custom tag count|3|3'],
    );
    assert.equal(new Set([lines[levelHeader], ...levelRows].map((row) => row?.length)).size, 1, 'figures are right-aligned under their headings');
  });

  void test('level columns show the peak per day and the last day, never their sum over days', () => {
    const { html, text } = renderReportEmail(makeInput());
    for (const part of [html, text]) {
      const totals = totalsSection(part);
      assert.ok(!totals.includes('85,306'), 'the device-day sum is not in the totals');
      assert.ok(totals.includes('Peak per day') && totals.includes('Last day'));
      assert.ok(totals.includes('2,810') && totals.includes('2,790'));
      assert.ok(totals.replace(/\s+/gu, ' ').includes('Changes compare the last day.'));
      assert.ok(totals.includes('2,712'), 'the previous last day is shown');
    }
    assert.match(text, /^Devices\s+2,810\s+2,790\s+2,712\s+▲ 2\.9%$/mu);
    assert.match(html, /<td[^>]*>Devices<\/td><td[^>]*>2,810<\/td><td[^>]*>2,790<\/td>/u);
    assert.ok(!html.includes('85,306') && !text.includes('85,306'), 'nor anywhere else');
  });

  void test('a monthly report says per month, and one without a known grouping per period', () => {
    const monthly = renderReportEmail(makeInput({ request: { dateGroupBy: 'month' } }));
    assert.match(monthly.text, /^Metric\s+Peak per month\s+Last month\s+Previous\s+Change$/mu);
    const unknown = renderReportEmail(makeInput({ request: {}, summary: makeSummary({ grouping: { resource: 'unknown', date: 'unknown' } }) }));
    assert.match(unknown.text, /^Metric\s+Peak per period\s+Last period\s+Previous\s+Change$/mu);
    assert.match(unknown.text.replace(/\s+/gu, ' '), /highest sum across resources on one period/u);
  });

  void test('without level figures, level columns are left out with the reason, not shown as sums', () => {
    const overflowed = makeSummary({ levels: {}, levelsUnavailable: 'the rows span more than 1,000 distinct periods' });
    const legacy = makeSummary();
    delete (legacy as Partial<ReportSummary>).levels;
    for (const [summary, reason] of [
      [overflowed, 'the rows span more than 1,000 distinct periods'],
      [legacy, 'this summary has no peak or latest figures'],
    ] as const) {
      const { html, text } = renderReportEmail(makeInput({ summary, comparison: null }));
      for (const part of [html, text]) {
        const totals = totalsSection(part);
        // The text part wraps notes; compare them with line breaks as spaces.
        assert.ok(totals.replace(/\s+/gu, ' ').includes(`Devices, users, storage and other counts at a moment are not shown: ${reason}.`), part);
        assert.ok(!totals.includes('85,306') && !totals.includes('Peak per day'), 'no level figures and no sums');
        assert.ok(totals.includes('98,765,432'), 'flows are still shown');
      }
    }
  });

  void test('a comparison shows the change with arrows and percentages; without one there are none', () => {
    const withComparison = renderReportEmail(makeInput());
    for (const part of [withComparison.html, withComparison.text]) {
      assert.ok(part.includes('▲ 2.9%'), 'devices went up 2.875%');
      assert.ok(part.includes('▼ 1.2%'), 'payloads went down 1.23%');
      assert.ok(part.includes('100,000,000'), 'the previous value is shown');
      assert.ok(part.includes('rep_100'));
    }

    const without = renderReportEmail(makeInput({ comparison: null }));
    for (const part of [without.html, without.text]) {
      assert.ok(!part.includes('▲') && !part.includes('▼'));
      assert.ok(!part.includes('Previous'));
    }
  });

  void test('a total that grew from zero is marked new', () => {
    const comparison: SummaryComparison = { ...COMPARISON, totals: { customTagCount: { previous: 0, current: 3, delta: 3, ratio: null } } };
    const { text } = renderReportEmail(makeInput({ comparison }));
    assert.match(text, /Custom tag count\s+3\s+3\s+0\s+▲ new/u);
  });

  void test('bad rows are counted with the first examples; none means no warning', () => {
    const summary = makeSummary({
      badRowCount: 12,
      badRows: Array.from({ length: 12 }, (_, index) => ({ line: index + 10, reason: `reason ${index}` })),
    });
    const withBad = renderReportEmail(makeInput({ summary }));
    for (const part of [withBad.html, withBad.text]) {
      assert.ok(part.includes('12 rows could not be read'));
      assert.ok(part.includes('line 10: reason 0'));
      assert.ok(part.includes('line 14: reason 4'));
      assert.ok(!part.includes('line 15:'), 'only the first five examples');
    }

    const clean = renderReportEmail(makeInput());
    assert.ok(!clean.html.includes('could not be read') && !clean.text.includes('could not be read'));
  });

  void test('a summary past the resource cap says how many rows are in the totals only; one under it says nothing', () => {
    const sentence =
      'This report names more than 100,000 organizations; the 12,345 rows of organizations past the first 100,000 were counted ' +
      'in the totals only, not in the number of organizations or the top lists.';
    const capped = renderReportEmail(makeInput({ summary: makeSummary({ resourceCount: 100_000, resourcesCapped: 12_345 }) }));
    assert.ok(capped.html.includes(`>${escapeHtml(sentence)}</div>`), 'the HTML shows the sentence, escaped, as a notice of its own');
    assert.ok(capped.text.replace(/\s+/gu, ' ').includes(`! ${sentence}`), 'the text part shows it as a notice (wrapped)');
    const factsEnd = capped.text.indexOf('\n\n');
    assert.ok(factsEnd > 0 && capped.text.indexOf('! This report names') === factsEnd + 2, 'the text part says it right after the facts');

    const one = renderReportEmail(
      makeInput({ summary: makeSummary({ resourceCount: 3, resourcesCapped: 1, grouping: { resource: 'application', date: 'day' } }), request: {} }),
    );
    assert.ok(one.html.includes('more than 3 applications; the 1 row of applications past the first 3 was counted in the totals only'));

    const whole = renderReportEmail(makeInput());
    for (const part of [whole.html, whole.text])
      assert.ok(!part.includes('names more than') && !part.includes('totals only'), 'no notice when nothing was capped');
  });

  void test('the attachment and archive notes say what happened to the file', () => {
    const omitted = renderReportEmail(makeInput({ attachment: { omittedReason: 'it is larger than 20 MB' }, archiveLocation: null }));
    assert.ok(omitted.text.includes('The CSV is not attached: it is larger than 20 MB'));
    assert.ok(omitted.text.includes('The original CSV was not archived.'));

    const plain = renderReportEmail(makeInput({ attachment: { filename: 'report.csv', bytes: 900, compressed: false } }));
    assert.ok(plain.html.includes('The CSV is attached as report.csv (900 B).'));

    const none = renderReportEmail(makeInput({ attachment: null }));
    assert.ok(none.text.includes('The CSV is not attached to this email.'));
  });

  void test('the period falls back to the request when the CSV had no dates', () => {
    const summary = makeSummary({ period: { start: null, end: null }, grouping: { resource: 'unknown', date: 'unknown' } });
    const email = renderReportEmail(
      makeInput({
        summary,
        request: { start: '2026-10-01T00:00:00.000Z', end: '2026-10-15T12:30:00.000Z', resourceGroupBy: 'application', dateGroupBy: 'month' },
      }),
    );
    assert.equal(email.subject, 'Losant usage report 2026-10-01 to 2026-10-15 12:30 UTC, by application, per month');
    assert.ok(email.text.includes('Top applications by billable payloads'.toUpperCase()));
  });

  for (const [dateGroupBy, heading] of [
    ['day', 'Day'],
    ['month', 'Month'],
    [undefined, 'Period'],
  ] as const) {
    test(`the per-period table's first column is headed ${heading} (dateGroupBy ${dateGroupBy ?? 'unknown'}) in both parts`, () => {
      const starts = ['2026-10-01T00:00:00.000Z', '2026-10-02T00:00:00.000Z'];
      const summary = makeSummary({
        grouping: { resource: 'organization', date: dateGroupBy ?? 'unknown' },
        periodSeries: { starts, columns: { payloadBillableCount: [10, 20] }, capped: false },
      });
      const email = renderReportEmail(
        makeInput({
          summary,
          request: { resourceGroupBy: 'organization', ...(dateGroupBy ? { dateGroupBy } : {}) },
          chart: { cid: 'chart@report-relay', alt: 'Chart', width: 640, height: 480 },
        }),
      );
      const html = email.html.slice(email.html.indexOf('Per period:'));
      assert.match(html, new RegExp(`^[^]*?<tr><th [^>]*>${heading}</th><th [^>]*>Billable payloads</th>`, 'u'));
      const text = email.text.slice(email.text.indexOf('PER PERIOD'));
      assert.match(text, new RegExp(`^${heading}\\s+Billable payloads$`, 'mu'));
      assert.match(text, /^2026-10-01\s+10$/mu);
    });
  }
});
