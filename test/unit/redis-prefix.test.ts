import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasHashTag, redisPrefixProblem } from '../../src/redis-prefix.js';
import { testConfig } from '../helpers/config.js';

describe('REDIS_PREFIX', () => {
  test('a name, or a name with one hash tag', () => {
    for (const prefix of ['report-relay', 'rr_2', '{report-relay}', '{rr}-eu', 'tenant-{a1}', 'x'.repeat(32), `{${'x'.repeat(32)}}`]) {
      assert.equal(redisPrefixProblem(prefix), null, prefix);
    }
    assert.equal(hasHashTag('{rr}'), true);
    assert.equal(hasHashTag('tenant-{a1}'), true);
    assert.equal(hasHashTag('report-relay'), false);
    assert.equal(hasHashTag('{}'), false);
  });

  test('a malformed one is refused saying what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /1 to 32 letters/u],
      ['{}', /1 to 32 letters/u],
      ['x'.repeat(33), /1 to 32 letters/u],
      ['a:b', /only letters, digits, _ or -, and one hash tag/u],
      ['rr{}', /empty hash tag/u],
      ['{rr', /unbalanced or second brace/u],
      ['rr}', /unbalanced or second brace/u],
      ['}rr{', /unbalanced or second brace/u],
      ['{a}{b}', /unbalanced or second brace/u],
      ['{{a}}', /unbalanced or second brace/u],
    ];
    for (const [prefix, expected] of cases) {
      assert.match(redisPrefixProblem(prefix) ?? 'accepted', expected, prefix);
      if (prefix === '') continue; // empty counts as unset: the default applies
      assert.throws(
        () => testConfig({ REDIS_PREFIX: prefix }),
        (error: Error) => error.message.includes('REDIS_PREFIX') && expected.test(error.message),
        prefix,
      );
    }
  });

  test('a cluster URL needs a prefix with a hash tag, which the error suggests', () => {
    assert.throws(
      () => testConfig({ REDIS_URL: 'redis+cluster://127.0.0.1:7000', REDIS_PREFIX: 'report-relay' }),
      (error: Error) =>
        error.message.includes('REDIS_PREFIX: "report-relay" has no hash tag, and REDIS_URL names a Redis Cluster') && error.message.includes('{report-relay}'),
    );
    assert.throws(() => testConfig({ REDIS_URL: 'redis+cluster://127.0.0.1:7000' }), /REDIS_PREFIX: "report-relay" has no hash tag/u);
    assert.equal(testConfig({ REDIS_URL: 'rediss+cluster://127.0.0.1:7000', REDIS_PREFIX: '{report-relay}' }).redis.prefix, '{report-relay}');
    assert.equal(testConfig({ REDIS_PREFIX: '{report-relay}' }).redis.prefix, '{report-relay}', 'a tag is fine on one server too');
  });
});
