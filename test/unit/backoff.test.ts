import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffCeiling, backoffDelay } from '../../src/backoff.js';

const options = (random: () => number, baseDelayMs = 100, maxDelayMs = 5_000) => ({ baseDelayMs, maxDelayMs, random });

void describe('backoff', () => {
  void test('the ceiling doubles with every retry, starting at the base delay', () => {
    const ceilings = [0, 1, 2, 3, 4].map((retry) => backoffCeiling(retry, { baseDelayMs: 100, maxDelayMs: 60_000 }));
    assert.deepEqual(ceilings, [100, 200, 400, 800, 1600]);
  });

  void test('the ceiling never exceeds maxDelayMs, even after very many retries', () => {
    assert.equal(backoffCeiling(6, { baseDelayMs: 100, maxDelayMs: 5_000 }), 5_000);
    assert.equal(backoffCeiling(5_000, { baseDelayMs: 100, maxDelayMs: 5_000 }), 5_000);
  });

  void test('full jitter: the delay is random * ceiling, from 0 up to just under the ceiling', () => {
    assert.equal(
      backoffDelay(
        3,
        options(() => 0),
      ),
      0,
    );
    assert.equal(
      backoffDelay(
        3,
        options(() => 0.5),
      ),
      400,
    );
    assert.equal(
      backoffDelay(
        3,
        options(() => 0.999999),
      ),
      799,
    );
  });

  void test('with a real random source every delay stays within [0, ceiling)', () => {
    for (let retry = 0; retry < 12; retry += 1) {
      const ceiling = backoffCeiling(retry, { baseDelayMs: 100, maxDelayMs: 5_000 });
      for (let i = 0; i < 200; i += 1) {
        const delay = backoffDelay(retry, options(Math.random));
        assert.ok(delay >= 0 && delay < ceiling, `retry ${retry}: ${delay} outside [0, ${ceiling})`);
        assert.ok(Number.isInteger(delay));
      }
    }
  });

  void test('a random source that strays outside [0, 1) cannot push the delay outside [0, ceiling]', () => {
    assert.equal(
      backoffDelay(
        1,
        options(() => 7),
      ),
      200,
    );
    assert.equal(
      backoffDelay(
        1,
        options(() => -3),
      ),
      0,
    );
  });

  void test('a negative or fractional retry number is treated as the first retry', () => {
    assert.equal(backoffCeiling(-2, { baseDelayMs: 100, maxDelayMs: 5_000 }), 100);
    assert.equal(backoffCeiling(1.7, { baseDelayMs: 100, maxDelayMs: 5_000 }), 200);
  });
});
