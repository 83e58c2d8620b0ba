import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BackfillResult } from '../../src/trends/index.js';
import { backfillOutcome, backfillOutcomeHref } from '../../src/ui/trends/backfill-form.js';
import { changeCell, percentCell } from '../../src/ui/trends/change-format.js';
import { organizationTrendSection } from '../../src/ui/trends/organization-trend.js';

const RESULT: BackfillResult = {
  months: [
    { month: '2026-01', organizations: 3, truncated: false },
    { month: '2026-02', organizations: 3, truncated: true },
  ],
  organizations: 4,
  points: 6,
};

const queryOf = (href: string) => new URLSearchParams(href.slice(href.indexOf('?') + 1, href.indexOf('#')));

describe('the dashboard’s trend parts', () => {
  test('the outcome a backfill redirects with is read back as figures, the truncated months named', () => {
    const href = backfillOutcomeHref(RESULT);
    assert.match(href, /^\/ui\/organizations\?.*#backfill$/u);
    const shown = backfillOutcome(queryOf(href))?.value ?? '';
    assert.match(shown, /Backfilled 2 months from Losant \(2026-01 to 2026-02\):\s+4 organizations, 6 points written\./u);
    assert.match(shown, /In 1 month Losant listed more organizations than are kept a month/u);
  });

  test('a query that is not an outcome shows nothing, never its own text', () => {
    assert.equal(backfillOutcome(new URLSearchParams('')), null);
    const good = queryOf(backfillOutcomeHref(RESULT));
    for (const [name, value] of [
      ['backfilled', '<b>2</b>'],
      ['points', '-1'],
      ['from', '2026-13'],
      ['to', 'now'],
      ['organizations', '1e3'],
    ]) {
      const query = new URLSearchParams(good);
      query.set(name ?? '', value ?? '');
      assert.equal(backfillOutcome(query), null, `${name ?? ''}=${value ?? ''}`);
    }
  });

  test('an organization without months gets one line pointing at the backfill', () => {
    const shown = organizationTrendSection(null).value;
    assert.match(shown, /No monthly figures for this organization yet: <a href="\/ui\/organizations#backfill">backfill them from Losant<\/a>/u);
    assert.doesNotMatch(shown, /<table|data-usage-chart/u);
  });

  test('changes are signed and coloured by direction; a change from nothing has no percentage', () => {
    assert.equal(changeCell(1234).value, '<span class="change-up">+1,234</span>');
    assert.equal(changeCell(-5).value, '<span class="change-down">−5</span>');
    assert.equal(changeCell(0).value, '0');
    assert.equal(percentCell(12.5).value, '<span class="change-up">+12.5%</span>');
    assert.equal(percentCell(-100).value, '<span class="change-down">−100%</span>');
    assert.match(percentCell(null).value, /—/u);
  });
});
