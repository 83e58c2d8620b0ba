import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labelForColumn, orderColumns } from '../../src/summary/labels.js';

describe('labelForColumn', () => {
  test('the report columns have fixed labels', () => {
    assert.equal(labelForColumn('payloadBillableCount'), 'Billable payloads');
    assert.equal(labelForColumn('deviceCount'), 'Devices');
    assert.equal(labelForColumn('deviceCountProrated'), 'Devices (prorated)');
    assert.equal(labelForColumn('notebookMinutesCount'), 'Notebook minutes');
    assert.equal(labelForColumn('fileTotalSizeMb'), 'File storage (MB)');
    assert.equal(labelForColumn('dataTableTotalSizeMb'), 'Data table storage (MB)');
    assert.equal(labelForColumn('experienceEndpointCount'), 'Experience endpoints');
    assert.equal(labelForColumn('experienceUserCount'), 'Experience users');
    assert.equal(labelForColumn('apiTokenCount'), 'API tokens');
    assert.equal(labelForColumn('resourceId'), 'Resource ID');
  });

  test('unknown camelCase, snake_case and kebab-case names become sentences, with acronyms in capitals', () => {
    assert.equal(labelForColumn('widgetCount'), 'Widget count');
    assert.equal(labelForColumn('api_key_count'), 'API key count');
    assert.equal(labelForColumn('mqtt-in-bytes'), 'MQTT in bytes');
    assert.equal(labelForColumn('parentResourceId'), 'Parent resource ID');
    assert.equal(labelForColumn('HTMLReportURL'), 'HTML report URL');
    assert.equal(labelForColumn('snake_case_value'), 'Snake case value');
  });

  test('a unit at the end of an unknown name is shown as a unit', () => {
    assert.equal(labelForColumn('someNewColumnSizeMb'), 'Some new column size (MB)');
    assert.equal(labelForColumn('cache_size_gb'), 'Cache size (GB)');
    assert.equal(labelForColumn('mbPerDevice'), 'MB per device');
    assert.equal(labelForColumn('mb'), 'MB');
  });

  test('tag columns show their key verbatim', () => {
    assert.equal(labelForColumn('tag:region'), 'Tag: region');
    assert.equal(labelForColumn('tag:Cost Center'), 'Tag: Cost Center');
  });

  test('an empty or separator-only name still gets a label', () => {
    assert.equal(labelForColumn(''), 'Unnamed column');
    assert.equal(labelForColumn('__'), 'Unnamed column');
  });

  test('names of Object.prototype members are ordinary unknown columns', () => {
    assert.equal(labelForColumn('constructor'), 'Constructor');
    assert.equal(labelForColumn('__proto__'), 'Proto');
  });
});

describe('orderColumns', () => {
  test('the main columns come first in their fixed order, the rest in file order', () => {
    assert.deepEqual(orderColumns(['zeta', 'deviceCount', 'alpha', 'payloadBillableCount'], ['alpha', 'zeta', 'deviceCount', 'payloadBillableCount']), [
      'payloadBillableCount',
      'deviceCount',
      'alpha',
      'zeta',
    ]);
  });

  test('columns missing from the file order come last, by name', () => {
    assert.deepEqual(orderColumns(['b', 'a', 'known'], ['known']), ['known', 'a', 'b']);
  });
});
