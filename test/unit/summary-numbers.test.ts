import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isPlainNumber, plainNumberOrNaN } from '../../src/summary/numbers.js';

/** The definition: a plain decimal number written out, converted by Number(). */
const reference = (text: string): number => (isPlainNumber(text) ? Number(text) : Number.NaN);

function* samples(): Generator<string> {
  yield* ['', '0', '00', '007', '-0', '+0', '12', '-12.5', '+3', '1e6', '1E-3', '.5', '5.', '1.2.3', '--1', '1e', 'e1', '0x10', 'Infinity', 'NaN'];
  yield* ['1e999', '-1e999', ' 1', '1 ', '1,000', '１２', '12a', 'a12', '٣', '999999999999999', '9999999999999999', '12345678901234567890', '9007199254740993'];
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = '0123456789012345678901234567890123456789.-+eE x/';
  for (let i = 0; i < 20_000; i++) {
    const length = Math.floor(random() * 20);
    let text = '';
    for (let j = 0; j < length; j++) text += alphabet.charAt(Math.floor(random() * alphabet.length));
    yield text;
  }
}

describe('reading numbers from cells', () => {
  test('plainNumberOrNaN gives what Number() gives for plain numbers and NaN for anything else, digits-only fast path included', () => {
    for (const text of samples()) assert.ok(Object.is(plainNumberOrNaN(text), reference(text)), JSON.stringify(text));
  });
});
