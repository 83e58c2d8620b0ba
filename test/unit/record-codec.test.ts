import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeRecord, encodeFields } from '../../src/reports/record-codec.js';

const summary = {
  rows: 1,
  badRowCount: 0,
  badRows: [],
  columns: ['__proto__', 'constructor'],
  period: { start: null, end: null },
  grouping: { resource: 'unknown', date: 'unknown' },
  resourceCount: 1,
  totals: JSON.parse('{"__proto__": 6, "constructor": 2}') as Record<string, number>,
  levels: {},
  levelsUnavailable: null,
  top: [],
};

function hashWith(fields: Record<string, string>): Record<string, string> {
  const encoded = encodeFields({
    request: {},
    delivery: { email: false, archive: true, recipients: [] },
    losant: { jobId: null, acceptedAt: null, legacy: false },
  });
  const hash: Record<string, string> = { id: 'r_1', status: 'summarized', source: 'api', seriesKey: 's', createdAt: 'a', updatedAt: 'b' };
  for (let i = 0; i < encoded.length; i += 2) hash[encoded[i]!] = encoded[i + 1]!;
  return { ...hash, ...fields };
}

describe('record codec', () => {
  test('column names from the CSV survive a round trip as own keys, __proto__ and constructor included', () => {
    const record = decodeRecord('k', hashWith({ summary: JSON.stringify(summary) }), []);
    assert.ok(record.summary);
    assert.deepEqual(Object.keys(record.summary.totals), ['__proto__', 'constructor']);
    assert.equal(Object.getOwnPropertyDescriptor(record.summary.totals, '__proto__')?.value, 6);
    assert.equal(Object.getPrototypeOf(record.summary.totals), Object.prototype, 'no prototype was changed');
  });

  test('a total that is not a number is named by its column', () => {
    assert.throws(
      () => decodeRecord('k', hashWith({ summary: JSON.stringify({ ...summary, totals: { deviceCount: 'many' } }) }), []),
      /summary\.totals\.deviceCount/u,
    );
  });

  test('a summary stored before resourcesCapped existed reads as not capped', () => {
    const record = decodeRecord('k', hashWith({ summary: JSON.stringify(summary) }), []);
    assert.equal(record.summary?.resourcesCapped, 0);
    const capped = decodeRecord('k', hashWith({ summary: JSON.stringify({ ...summary, resourcesCapped: 7 }) }), []);
    assert.equal(capped.summary?.resourcesCapped, 7);
  });

  test('fields this version does not write are left out, and missing optional ones read as none', () => {
    const record = decodeRecord('k', hashWith({ unknownField: 'x' }), []);
    assert.equal(record.scheduleName, null);
    assert.equal(record.callback, null);
    assert.equal(record.runs, 1);
    assert.equal('unknownField' in record, false);
  });
});
