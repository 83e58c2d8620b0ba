import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html } from '../../src/delivery/html.js';
import { formatBytes, formatChange, formatNumber, formatPercent, formatPeriod, singleLine } from '../../src/delivery/format.js';

void describe('email formatting helpers', () => {
  void test('escapeHtml escapes the five HTML special characters', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  void test('the html template escapes every interpolated value except nested templates', () => {
    const name = '<b>"x"</b>';
    const out = html`<td title="${name}">${name}${html`<br>`}${[1, '<', html`<i>`]}${null}${false}${undefined}</td>`;
    assert.equal(out.value, '<td title="&lt;b&gt;&quot;x&quot;&lt;/b&gt;">&lt;b&gt;&quot;x&quot;&lt;/b&gt;<br>1&lt;<i></td>');
  });

  void test('numbers use en-US thousands separators and sensible decimals', () => {
    assert.equal(formatNumber(1234567), '1,234,567');
    assert.equal(formatNumber(-98765), '-98,765');
    assert.equal(formatNumber(1234.5678), '1,234.57');
    assert.equal(formatNumber(2.5), '2.5');
    assert.equal(formatNumber(0.012345), '0.0123');
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(Number.NaN), '—');
  });

  void test('percentages and sizes are formatted with one decimal', () => {
    assert.equal(formatPercent(0.12345), '12.3%');
    assert.equal(formatPercent(12.5), '1,250.0%');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(20 * 1024 * 1024), '20.0 MB');
  });

  void test('changes get an arrow and the absolute percentage', () => {
    assert.deepEqual(formatChange({ previous: 100, current: 125, delta: 25, ratio: 0.25 }), { direction: 'up', text: '▲ 25.0%' });
    assert.deepEqual(formatChange({ previous: 100, current: 90, delta: -10, ratio: -0.1 }), { direction: 'down', text: '▼ 10.0%' });
    assert.deepEqual(formatChange({ previous: 5, current: 5, delta: 0, ratio: 0 }), { direction: 'same', text: '= 0.0%' });
    assert.deepEqual(formatChange({ previous: 0, current: 7, delta: 7, ratio: null }), { direction: 'new', text: '▲ new' });
    assert.deepEqual(formatChange({ previous: 0, current: 0, delta: 0, ratio: null }), { direction: 'same', text: '= 0.0%' });
  });

  void test('singleLine removes line breaks and control characters and truncates', () => {
    assert.equal(singleLine('a\r\nb\tc\u000bd\u2028e\u0085f'), 'a b c d e f');
    // Other control and format characters (NUL, ESC, C1, bidi overrides and isolates, marks, zero-width) show as U+FFFD.
    assert.equal(singleLine('a\u0000b\u001bc\u009bd\u202Ee\u2067f\u200Eg\u200Bh\uFEFFi'), 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg\uFFFDh\uFFFDi');
    assert.equal(singleLine('  spaced   out  '), 'spaced out');
    assert.equal(singleLine('abcdefghij', 5), 'abcd…');
  });

  void test('periods show dates at midnight UTC and times otherwise', () => {
    assert.equal(formatPeriod('2026-10-01T00:00:00Z', '2026-11-01T00:00:00.000Z'), '2026-10-01 to 2026-11-01');
    assert.equal(formatPeriod('2026-10-01T06:30:00Z', null), 'from 2026-10-01 06:30 UTC');
    assert.equal(formatPeriod(null, '2026-11-01T00:00:00Z'), 'until 2026-11-01');
    assert.equal(formatPeriod(null, null), 'unknown period');
    assert.equal(formatPeriod('not a date\r\nX: y', null), 'from not a date X: y');
  });
});
