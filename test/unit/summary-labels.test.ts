import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labelForColumn } from '../../src/summary/labels.js';

describe('labelForColumn', () => {
  test('the main usage columns have fixed labels', () => {
    assert.equal(labelForColumn('payloadBillableCount'), 'Billable payloads');
    assert.equal(labelForColumn('deviceCount'), 'Devices');
    assert.equal(labelForColumn('notebookMinutesCount'), 'Notebook minutes');
    assert.equal(labelForColumn('fileTotalSizeMb'), 'File storage (MB)');
    assert.equal(labelForColumn('experienceEndpointCount'), 'Experience endpoints');
  });

  test('unknown camelCase, snake_case and kebab-case names become sentences', () => {
    assert.equal(labelForColumn('experienceUserCount'), 'Experience user count');
    assert.equal(labelForColumn('dataTableTotalSizeMb'), 'Data table total size MB');
    assert.equal(labelForColumn('api_token_count'), 'API token count');
    assert.equal(labelForColumn('mqtt-in-bytes'), 'MQTT in bytes');
    assert.equal(labelForColumn('parentResourceId'), 'Parent resource ID');
    assert.equal(labelForColumn('HTMLReportURL'), 'HTML report URL');
  });

  test('tag columns show their key verbatim', () => {
    assert.equal(labelForColumn('tag:region'), 'Tag: region');
    assert.equal(labelForColumn('tag:Cost Center'), 'Tag: Cost Center');
  });

  test('an empty or separator-only name still gets a label', () => {
    assert.equal(labelForColumn(''), 'Unnamed column');
    assert.equal(labelForColumn('__'), 'Unnamed column');
  });
});
