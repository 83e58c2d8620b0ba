import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSummaryAccumulator, type SummaryOptions } from '../../src/summary/accumulator.js';

/** Summarizes rows given as arrays under a header on line 1, the way the stream glue feeds the accumulator. */
function summarize(header: string[], rows: string[][], options?: SummaryOptions) {
  const accumulator = createSummaryAccumulator(options);
  accumulator.setColumns(header);
  rows.forEach((values, row) => {
    accumulator.addRow(
      header.map((_, index) => values[index] ?? ''),
      row + 2,
    );
  });
  return accumulator.finish();
}

describe('summary totals', () => {
  test('floating sums are rounded to 6 decimals: 0.1 + 0.2 is 0.3', () => {
    const summary = summarize(['payloadBillableSizeMb'], [['0.1'], ['0.2']]);
    assert.equal(summary.totals.payloadBillableSizeMb, 0.3);
  });

  test('a column with any non-numeric value is not totalled; empty cells are ignored', () => {
    const summary = summarize(
      ['deviceCount', 'comment', 'fileCount'],
      [
        ['1', '12', ''],
        ['2', 'n/a', '4'],
        ['', '3', ' 5 '],
      ],
    );
    assert.deepEqual(summary.totals, { deviceCount: 3, fileCount: 9 });
  });

  test('a column with no numbers at all is not totalled', () => {
    assert.deepEqual(summarize(['deviceCount', 'empty'], [['1', '']]).totals, { deviceCount: 1 });
  });

  test('numeric-looking ids, period bounds, the sandbox flag and tags are excluded by name', () => {
    const summary = summarize(
      ['ownerId', 'resource_id', 'id', 'periodStart', 'billingEnd', 'sandbox', 'tag:floor', 'deviceCount'],
      [
        ['11', '12', '13', '20260101', '20260131', '1', '3', '7'],
        ['11', '12', '14', '20260201', '20260228', '0', '4', '8'],
      ],
    );
    assert.deepEqual(summary.totals, { deviceCount: 15 });
  });

  test('negative numbers count in totals', () => {
    assert.equal(summarize(['payloadBillableCount'], [['10'], ['-4']]).totals.payloadBillableCount, 6);
  });
});

describe('summary top lists', () => {
  const header = ['resourceId', 'resourceName', 'currentPeriodStart', 'currentPeriodEnd', 'deviceCount', 'payloadBillableCount', 'notebookMinutesCount'];
  const day = (n: number) => [`2026-03-0${n}T00:00:00.000Z`, `2026-03-0${n}T23:59:59.999Z`];

  test('flows are summed per resource over periods, levels take the highest period', () => {
    const summary = summarize(header, [
      ['a', 'Alpha', ...day(1), '10', '100', '1.5'],
      ['a', 'Alpha', ...day(2), '12', '100', '2.5'],
      ['b', 'Beta', ...day(1), '11', '150', '0'],
      ['b', 'Beta', ...day(2), '11', '10', '0'],
    ]);
    const byColumn = Object.fromEntries(summary.top.map((list) => [list.column, list.entries.map((entry) => [entry.id, entry.value])]));
    assert.deepEqual(byColumn, {
      payloadBillableCount: [
        ['a', 200],
        ['b', 160],
      ],
      deviceCount: [
        ['a', 12],
        ['b', 11],
      ],
      notebookMinutesCount: [['a', 4]],
    });
    // Totals stay plain column sums even for levels (device-days here); levels say what a day held.
    assert.equal(summary.totals.deviceCount, 44);
    assert.deepEqual(summary.levels.deviceCount, { peak: 23, latest: 23, peakPeriod: '2026-03-02T00:00:00.000Z' });
  });

  test('shares are of the sum over resources and add up to 1 when every resource is listed', () => {
    const summary = summarize(header, [
      ['a', 'Alpha', ...day(1), '1', '300', '0'],
      ['b', 'Beta', ...day(1), '1', '100', '0'],
    ]);
    const payloads = summary.top.find((list) => list.column === 'payloadBillableCount');
    assert.deepEqual(
      payloads?.entries.map((entry) => entry.share),
      [0.75, 0.25],
    );
  });

  test('at most topN entries, largest first, ties broken by name', () => {
    const rows = ['d', 'c', 'b', 'a', 'e'].map((id, index) => [id, `Name ${id}`, ...day(1), '1', index === 4 ? '99' : '5', '0']);
    const summary = summarize(header, rows, { topN: 3 });
    const payloads = summary.top.find((list) => list.column === 'payloadBillableCount');
    assert.deepEqual(
      payloads?.entries.map((entry) => entry.id),
      ['e', 'a', 'b'],
    );
    assert.equal(summarize(header, rows).top[0]?.entries.length, 5);
  });

  test('zero and negative figures are not ranked; a main column of zeros keeps an empty list', () => {
    const summary = summarize(header, [
      ['a', 'Alpha', ...day(1), '0', '-5', '0'],
      ['b', 'Beta', ...day(1), '0', '7', '0'],
    ]);
    assert.deepEqual(
      summary.top.map((list) => [list.column, list.entries.map((entry) => entry.id)]),
      [
        ['payloadBillableCount', ['b']],
        ['deviceCount', []],
        ['notebookMinutesCount', []],
      ],
    );
  });

  test('the latest non-empty name of a resource is shown, and the id when it never had one', () => {
    const summary = summarize(
      ['resourceId', 'resourceName', 'payloadBillableCount'],
      [
        ['a', 'Old name', '1'],
        ['a', 'New name', '1'],
        ['a', '', '1'],
        ['b', '', '1'],
      ],
    );
    assert.deepEqual(
      summary.top[0]?.entries.map((entry) => [entry.id, entry.name]),
      [
        ['a', 'New name'],
        ['b', 'b'],
      ],
    );
  });

  test('without an id column resources are grouped by name', () => {
    const summary = summarize(
      ['resourceName', 'deviceCount'],
      [
        ['Alpha', '3'],
        ['Beta', '9'],
        ['Alpha', '4'],
      ],
    );
    assert.equal(summary.resourceCount, 2);
    assert.deepEqual(summary.top[0]?.entries, [
      { id: 'Beta', name: 'Beta', value: 9, share: 0.692308 },
      { id: 'Alpha', name: 'Alpha', value: 4, share: 0.307692 },
    ]);
  });

  test('another payload count column stands in when payloadBillableCount is absent', () => {
    const summary = summarize(['resourceId', 'payloadNonbillableCount'], [['a', '5']]);
    assert.deepEqual(
      summary.top.map((list) => [list.column, list.label]),
      [['payloadNonbillableCount', 'Non-billable payloads']],
    );
  });

  test('with none of the main columns, the 3 numeric columns with the largest totals are ranked', () => {
    const summary = summarize(
      ['resourceId', 'resourceName', 'widgetCount', 'messagesSent', 'alerts', 'errors', 'label'],
      [
        ['a', 'Alpha', '5', '100', '1', '0', 'x'],
        ['a', 'Alpha', '7', '100', '1', '0', 'y'],
        ['b', 'Beta', '9', '50', '1', '0', 'z'],
      ],
    );
    assert.deepEqual(
      summary.top.map((list) => [list.column, list.label, list.entries.map((entry) => [entry.id, entry.value])]),
      [
        [
          'messagesSent',
          'Messages sent',
          [
            ['a', 200],
            ['b', 50],
          ],
        ],
        [
          'widgetCount',
          'Widget count',
          [
            ['b', 9],
            ['a', 7],
          ],
        ],
        [
          'alerts',
          'Alerts',
          [
            ['a', 2],
            ['b', 1],
          ],
        ],
      ],
    );
  });

  test('without any id or name column there are no top lists, but totals still', () => {
    const summary = summarize(['deviceCount'], [['3']]);
    assert.deepEqual(summary.top, []);
    assert.equal(summary.resourceCount, 0);
    assert.equal(summary.totals.deviceCount, 3);
  });

  test('past maxResources new resources are neither ranked nor counted, so memory stays bounded', () => {
    const rows = Array.from({ length: 50 }, (_, index) => [`r${index}`, `${index + 1}`]);
    const summary = summarize(['resourceId', 'deviceCount'], rows, { maxResources: 10 });
    assert.equal(summary.resourceCount, 10);
    assert.deepEqual(summary.top[0]?.entries[0], { id: 'r9', name: 'r9', value: 10, share: round6(10 / 55) });
    assert.equal(summary.totals.deviceCount, (50 * 51) / 2);
    assert.equal(summary.resourcesCapped, 40);
  });

  test('resourcesCapped counts the rows of the resources that came after the cap; those rows stay in the totals', () => {
    const header = ['resourceId', 'resourceName', 'payloadBillableCount'];
    // a and b fill a cap of 2; c (3 rows) and d (2 rows) come after it; a's later row is still a's.
    const rows = [
      ['a', 'Alpha', '5'],
      ['b', 'Beta', '1'],
      ['c', 'Gamma', '100'],
      ['a', 'Alpha', '5'],
      ['c', 'Gamma', '100'],
      ['d', 'Delta', '50'],
      ['c', 'Gamma', '100'],
      ['d', 'Delta', '50'],
    ];
    const capped = summarize(header, rows, { maxResources: 2 });
    assert.equal(capped.rows, 8);
    assert.equal(capped.totals.payloadBillableCount, 411);
    assert.equal(capped.resourceCount, 2);
    assert.equal(capped.resourcesCapped, 5);
    assert.deepEqual(
      capped.top.map((list) => [list.column, list.entries.map((entry) => [entry.id, entry.value])]),
      [
        [
          'payloadBillableCount',
          [
            ['a', 10],
            ['b', 1],
          ],
        ],
      ],
    );

    // Exactly at the cap nothing is left out.
    const whole = summarize(header, rows, { maxResources: 4 });
    assert.equal(whole.resourceCount, 4);
    assert.equal(whole.resourcesCapped, 0);
    assert.deepEqual(
      whole.top[0]?.entries.map((entry) => entry.id),
      ['c', 'd', 'a', 'b'],
    );
  });
});

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;

describe('summary levels: peak and latest of level columns', () => {
  const header = ['resourceId', 'currentPeriodStart', 'currentPeriodEnd', 'deviceCount', 'fileTotalSizeMb', 'payloadBillableCount'];
  const day = (n: number) => [`2026-03-0${n}T00:00:00.000Z`, `2026-03-0${n}T23:59:59.999Z`];

  test('peak is the highest per-period sum across resources, latest the last period’s sum, whatever the row order', () => {
    const rows = [
      ['b', ...day(3), '4', '0.2', '1'],
      ['a', ...day(1), '10', '1.1', '5'],
      ['a', ...day(3), '11', '1.2', '5'],
      ['b', ...day(1), '3', '0.1', '5'],
      ['a', ...day(2), '12', '1.2', '5'],
      ['b', ...day(2), '6', '0.1', '5'],
    ];
    const summary = summarize(header, rows);
    assert.deepEqual(summary.levels, {
      deviceCount: { peak: 18, latest: 15, peakPeriod: '2026-03-02T00:00:00.000Z' },
      fileTotalSizeMb: { peak: 1.4, latest: 1.4, peakPeriod: '2026-03-03T00:00:00.000Z' },
    });
    assert.equal(summary.totals.deviceCount, 46, 'the total is still the device-day sum');
    assert.equal(summary.levelsUnavailable, null);
  });

  test('one period only: peak = latest = total for every level column', () => {
    const summary = summarize(header, [
      ['a', '2026-02-01', '2026-02-28T23:59:59.999Z', '7', '2.5', '100'],
      ['b', '2026-02-01', '2026-02-28T23:59:59.999Z', '5', '0.25', '100'],
    ]);
    for (const column of ['deviceCount', 'fileTotalSizeMb']) {
      const levels = summary.levels[column];
      assert.equal(levels?.peak, summary.totals[column]);
      assert.equal(levels?.latest, summary.totals[column]);
      assert.equal(levels?.peakPeriod, '2026-02-01T00:00:00.000Z');
    }
  });

  test('without a period column all rows are one period and peakPeriod is null', () => {
    const summary = summarize(
      ['resourceId', 'deviceCount'],
      [
        ['a', '2'],
        ['b', '3'],
      ],
    );
    assert.deepEqual(summary.levels, { deviceCount: { peak: 5, latest: 5, peakPeriod: null } });
  });

  test('a start written as a date or as a date-time is one period; a tie keeps the earliest peak', () => {
    const summary = summarize(
      ['resourceId', 'periodStart', 'deviceCount'],
      [
        ['a', '2026-03-01', '4'],
        ['b', '2026-03-01T00:00:00Z', '4'],
        ['a', '2026-03-02', '8'],
        ['a', '2026-03-03', '3'],
      ],
    );
    assert.deepEqual(summary.levels.deviceCount, { peak: 8, latest: 3, peakPeriod: '2026-03-01T00:00:00.000Z' });
  });

  test('latest is the last period with a figure for the column, not a period where its cells are empty', () => {
    const summary = summarize(header, [
      ['a', ...day(1), '2', '1', '1'],
      ['a', ...day(2), '', '1', '1'],
    ]);
    assert.deepEqual(summary.levels.deviceCount, { peak: 2, latest: 2, peakPeriod: '2026-03-01T00:00:00.000Z' });
  });

  test('flows, labels and columns that are not totalled have no levels', () => {
    const summary = summarize(['resourceId', 'periodStart', 'deviceCount', 'notebookRunCount', 'userCount'], [['a', '2026-03-01', '1', '2', 'n/a']]);
    assert.deepEqual(Object.keys(summary.levels), ['deviceCount']);
  });

  test('past maxLevelPeriods distinct periods, levels are left out with the reason, and totals stay exact', () => {
    const rows = Array.from({ length: 12 }, (_, index) => ['a', `2026-03-${String(index + 1).padStart(2, '0')}`, '', '2', '1', '1']);
    const summary = summarize(header, rows, { maxLevelPeriods: 10 });
    assert.deepEqual(summary.levels, {});
    assert.equal(summary.levelsUnavailable, 'the rows span more than 10 distinct periods');
    assert.equal(summary.totals.deviceCount, 24);
    const within = summarize(header, rows.slice(0, 10), { maxLevelPeriods: 10 });
    assert.deepEqual(within.levels.deviceCount, { peak: 2, latest: 2, peakPeriod: '2026-03-01T00:00:00.000Z' });
    assert.equal(within.levelsUnavailable, null);
  });
});

describe('summary period and grouping', () => {
  test('daily rows: earliest start, latest end, grouped by day', () => {
    const summary = summarize(
      ['currentPeriodStart', 'currentPeriodEnd'],
      [
        ['2026-03-02T00:00:00.000Z', '2026-03-02T23:59:59.999Z'],
        ['2026-03-01T00:00:00.000Z', '2026-03-01T23:59:59.999Z'],
      ],
    );
    assert.deepEqual(summary.period, { start: '2026-03-01T00:00:00.000Z', end: '2026-03-02T23:59:59.999Z' });
    assert.equal(summary.grouping.date, 'day');
  });

  test('monthly rows with exclusive ends (next midnight) are months', () => {
    const summary = summarize(['periodStart', 'periodEnd'], [['2026-02-01', '2026-03-01']]);
    assert.deepEqual(summary.period, { start: '2026-02-01T00:00:00.000Z', end: '2026-03-01T00:00:00.000Z' });
    assert.equal(summary.grouping.date, 'month');
  });

  test('a lone date column: the step between dates decides, and the last date ends the period', () => {
    const summary = summarize(
      ['date', 'deviceCount'],
      [
        ['2026-03-01', '1'],
        ['2026-03-01', '2'],
        ['2026-03-02', '1'],
        ['2026-03-03', '1'],
      ],
    );
    assert.deepEqual(summary.period, { start: '2026-03-01T00:00:00.000Z', end: '2026-03-03T00:00:00.000Z' });
    assert.equal(summary.grouping.date, 'day');
    const monthly = summarize(['month'], [['2026-01'], ['2026-02']]);
    assert.equal(monthly.grouping.date, 'month');
    assert.equal(summarize(['month'], [['2026-01']]).grouping.date, 'month');
    assert.equal(summarize(['day'], [['2026-01-05']]).grouping.date, 'day');
  });

  test('date-times without an offset are read as UTC; names and counts are never dates', () => {
    const summary = summarize(['start', 'end'], [['2026-03-01 00:00:00', '2026-03-01 23:59:59']]);
    assert.deepEqual(summary.period, { start: '2026-03-01T00:00:00.000Z', end: '2026-03-01T23:59:59.000Z' });
    const junk = summarize(['date'], [['Acme'], ['42'], ['2026-13-45']]);
    assert.deepEqual(junk.period, { start: null, end: null });
    assert.equal(junk.grouping.date, 'unknown');
  });

  test('resource grouping follows resourceType values, else the id column name, else tag columns', () => {
    assert.equal(summarize(['resourceType'], [['organization']]).grouping.resource, 'organization');
    assert.equal(summarize(['resourceType'], [['application']]).grouping.resource, 'application');
    assert.equal(summarize(['resourceType'], [['application'], ['organization']]).grouping.resource, 'unknown');
    assert.equal(summarize(['applicationId', 'deviceCount'], [['a', '1']]).grouping.resource, 'application');
    assert.equal(summarize(['orgId', 'deviceCount'], [['a', '1']]).grouping.resource, 'organization');
    assert.equal(summarize(['resourceId', 'tag:site'], [['a', 'x']]).grouping.resource, 'organization');
    assert.equal(summarize(['resourceId'], [['a']]).grouping.resource, 'unknown');
  });

  test('headers are matched ignoring case, spaces and underscores', () => {
    const summary = summarize(
      ['Resource ID', 'resource_name', 'Current Period Start', 'current_period_end', 'Device Count'],
      [['a', 'Alpha', '2026-01-01', '2026-01-31T23:59:59.999Z', '4']],
    );
    assert.equal(summary.grouping.date, 'month');
    assert.deepEqual(summary.top[0]?.entries[0], { id: 'a', name: 'Alpha', value: 4, share: 1 });
    assert.deepEqual(summary.totals, { 'Device Count': 4 });
  });
});

describe('summary bad rows', () => {
  test('all bad rows are counted, the first 100 kept in order', () => {
    const accumulator = createSummaryAccumulator();
    accumulator.setColumns(['a']);
    for (let line = 2; line < 252; line += 1) accumulator.addBadRow({ line, reason: 'ragged' });
    const summary = accumulator.finish();
    assert.equal(summary.badRowCount, 250);
    assert.equal(summary.badRows.length, 100);
    assert.deepEqual(summary.badRows.at(-1), { line: 101, reason: 'ragged' });
    assert.equal(summary.rows, 0);
  });
});

describe('summary text kept per resource and period is bounded', () => {
  const header = ['resourceId', 'resourceName', 'periodStart', 'payloadBillableCount'];
  const hexId = (chars: number, digit: string) => digit.repeat(chars);

  test('a resource id of 65 characters makes its row a bad row naming the column and the bound; 64 is an id', () => {
    const summary = summarize(header, [
      [hexId(64, 'a'), 'Kept', '2026-02-01', '5'],
      [hexId(65, 'b'), 'Refused', '2026-02-01', '7'],
      [` ${hexId(64, 'c')}  `, 'Padded', '2026-02-01', '3'],
    ]);
    assert.equal(summary.rows, 2);
    assert.equal(summary.badRowCount, 1);
    assert.deepEqual(summary.badRows, [{ line: 3, reason: '"resourceId" holds more than 64 characters, too long for a resource id' }]);
    assert.equal(summary.resourceCount, 2);
    assert.equal(summary.totals.payloadBillableCount, 8, 'the refused row is not counted anywhere');
    assert.deepEqual(
      summary.top[0]?.entries.map((entry) => [entry.id, entry.name]),
      [
        [hexId(64, 'a'), 'Kept'],
        [hexId(64, 'c'), 'Padded'],
      ],
    );
  });

  test('every over-long id is counted as a bad row, and the first 100 are kept with their lines', () => {
    const rows = Array.from({ length: 150 }, (_, index) => [`${index}`.padStart(70, 'f'), 'x', '2026-02-01', '1']);
    const summary = summarize(['applicationId', ...header.slice(1)], rows);
    assert.equal(summary.badRowCount, 150);
    assert.equal(summary.badRows.length, 100);
    assert.deepEqual(summary.badRows.at(-1), { line: 101, reason: '"applicationId" holds more than 64 characters, too long for a resource id' });
    assert.equal(summary.rows, 0);
  });

  test('a period start longer than 64 characters makes its row a bad row; a date or short label is a period', () => {
    const summary = summarize(
      ['resourceId', 'periodStart', 'deviceCount'],
      [
        ['a', '2026-02-01T00:00:00.000+00:00', '2'],
        ['a', 'week 6', '3'],
        ['a', 'p'.repeat(65), '4'],
        ['a', `  ${'q'.repeat(64)}  `, '5'],
      ],
    );
    assert.equal(summary.rows, 3);
    assert.deepEqual(summary.badRows, [{ line: 4, reason: '"periodStart" holds more than 64 characters, too long for a period start' }]);
    // Three periods: the dated one (2) comes after the undated 'week 6' (3) and the trimmed q… (5).
    assert.deepEqual(summary.levels.deviceCount, { peak: 5, latest: 2, peakPeriod: 'q'.repeat(64) });
  });

  test('a name longer than 255 characters is shown cut to 255 with its ellipsis, an astral emoji at the cut left whole', () => {
    // 'é' and 'Ω' are two bytes in UTF-8, '日' three; the emoji is a surrogate pair at units 253-254.
    const start = 'é日Ω'.repeat(84) + 'a'; // 253 UTF-16 units
    const name = `${start}😀${'z'.repeat(45)}`; // 300 units
    const summary = summarize(header, [['r1', name, '2026-02-01', '1']]);
    assert.equal(summary.top[0]?.entries[0]?.name, `${start}…`);
    assert.equal(summary.top[0]?.entries[0]?.name.length, 254);
  });

  test('without an id column the cut name is the resource, so names alike in their first 254 characters are one', () => {
    const base = 'n'.repeat(254);
    const summary = summarize(
      ['resourceName', 'payloadBillableCount'],
      [
        [`${base}-first`, '1'],
        [`${base}-second`, '2'],
        ['Short', '4'],
      ],
    );
    assert.equal(summary.resourceCount, 2);
    assert.deepEqual(
      summary.top[0]?.entries.map((entry) => [entry.id, entry.name, entry.value]),
      [
        ['Short', 'Short', 4],
        [`${base}…`, `${base}…`, 3],
      ],
    );
  });

  test('a rename to a long name is cut too; the latest name still wins', () => {
    const summary = summarize(header, [
      ['r1', 'Old', '2026-02-01', '1'],
      ['r1', 'N'.repeat(400), '2026-02-02', '1'],
    ]);
    assert.equal(summary.top[0]?.entries[0]?.name, `${'N'.repeat(254)}…`);
  });
});
