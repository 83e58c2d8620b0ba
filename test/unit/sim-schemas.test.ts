import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOSANT_SCHEMA_NAMES, losantExample, validateLosant, type LosantSchemaName } from '../helpers/losant-schemas.js';

test('every Losant example document validates against its schema with the Ajv helper', () => {
  const withExamples = LOSANT_SCHEMA_NAMES.filter((name) => name !== 'instanceReportConfig') as LosantSchemaName[];
  assert.ok(withExamples.length >= 12);
  for (const name of withExamples) assert.equal(validateLosant(name, losantExample(name)), null, name);
});

test('the Ajv helper reports what is wrong with a document', () => {
  const errors = validateLosant('instance', { id: 'not-hex', creationDate: 'yesterday', mfaMode: 'sometimes' });
  assert.ok(errors !== null);
  const paths = errors.map((error) => error.instancePath);
  assert.ok(paths.includes('/id'));
  assert.ok(paths.includes('/creationDate'));
  assert.ok(paths.includes('/mfaMode'));
  assert.ok(validateLosant('jobEnqueuedApiResult', { jobQueued: true, jobId: 'x'.repeat(22), success: true }) !== null);
  assert.ok(validateLosant('instanceReportOptionsPost', { unknown: 1 }) !== null);
});
