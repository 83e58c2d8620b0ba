import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter, retryDelay } from '../../src/losant/retry.js';

const options = (random: () => number, baseDelayMs = 100, maxDelayMs = 5_000) => ({ baseDelayMs, maxDelayMs, random });
const NOW = Date.parse('2026-03-01T12:00:00Z');

void describe('Retry-After', () => {
  void test('delay-seconds are read as whole seconds', () => {
    assert.equal(parseRetryAfter('0', NOW), 0);
    assert.equal(parseRetryAfter('7', NOW), 7_000);
    assert.equal(parseRetryAfter(' 120 ', NOW), 120_000);
  });

  void test('an HTTP-date is read as the time left until that date', () => {
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', NOW), 30_000);
  });

  void test('an HTTP-date in the past means retry now', () => {
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', NOW), 0);
  });

  void test('a missing or unreadable header gives no delay, so backoff decides', () => {
    for (const value of [undefined, null, '', '   ', 'soon', '-5', '1.5', '3e2', 'Sun, 99 Foo 2026 12:00:00 GMT']) {
      assert.equal(parseRetryAfter(value, NOW), undefined, `"${String(value)}" should be refused`);
    }
  });
});

void describe('retryDelay', () => {
  void test('honours Retry-After when the server gave one, without jitter', () => {
    assert.equal(
      retryDelay(
        0,
        2_000,
        options(() => 0),
      ),
      2_000,
    );
  });

  void test('caps a Retry-After larger than maxDelayMs', () => {
    assert.equal(
      retryDelay(
        0,
        3_600_000,
        options(() => 0.5, 100, 5_000),
      ),
      5_000,
    );
  });

  void test('falls back to jittered backoff when there is no Retry-After', () => {
    assert.equal(
      retryDelay(
        2,
        undefined,
        options(() => 0.5),
      ),
      200,
    );
  });
});
