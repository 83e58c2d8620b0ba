import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REPORT_ID_PATTERN, SECRET_PATTERN, generateId, generateSecret, hashSecret, secretMatches } from '../../src/reports/secrets.js';

describe('callback secrets', () => {
  test('a secret matches only its own hash', () => {
    const secret = generateSecret();
    assert.match(secret, SECRET_PATTERN);
    assert.equal(secretMatches(secret, hashSecret(secret)), true);
    assert.equal(secretMatches(generateSecret(), hashSecret(secret)), false);
    assert.equal(secretMatches(secret.slice(0, -1), hashSecret(secret)), false);
    assert.equal(secretMatches(`${secret}x`, hashSecret(secret)), false);
  });

  test('nothing matches when there is no stored hash', () => {
    assert.equal(secretMatches(generateSecret(), null), false);
    assert.equal(secretMatches('', undefined), false);
  });

  test('stored hashes do not contain the secret', () => {
    const secret = generateSecret();
    assert.ok(!hashSecret(secret).includes(secret));
  });

  test('report ids are unique and match their pattern', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => generateId('r')));
    assert.equal(ids.size, 1000);
    for (const id of ids) assert.match(id, REPORT_ID_PATTERN);
  });
});
