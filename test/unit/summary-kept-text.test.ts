import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cutForDisplay, detachedCopy } from '../../src/summary/kept-text.js';

describe('cutForDisplay', () => {
  test('text within the bound is returned as it is', () => {
    assert.equal(cutForDisplay('', 255), '');
    const exact = 'é'.repeat(255);
    assert.equal(cutForDisplay(exact, 255), exact);
  });

  test('longer text keeps its start and an ellipsis, maxChars UTF-16 units in all', () => {
    const name = 'é日Ω'.repeat(100); // 300 units, 2- and 3-byte UTF-8 characters
    const cut = cutForDisplay(name, 255);
    assert.equal(cut.length, 255);
    assert.equal(cut, `${name.slice(0, 254)}…`);
  });

  test('an astral emoji split by the cut is dropped whole, one just before the cut is kept', () => {
    const split = `${'a'.repeat(253)}😀${'b'.repeat(46)}`; // the pair is units 253-254; 254 are kept
    assert.equal(cutForDisplay(split, 255), `${'a'.repeat(253)}…`);
    const whole = `${'a'.repeat(252)}😀${'b'.repeat(46)}`; // the pair is units 252-253
    assert.equal(cutForDisplay(whole, 255), `${'a'.repeat(252)}😀…`);
    // With the u flag a paired surrogate is one code point: \p{Cs} matches only a lone one.
    for (const text of [split, whole]) assert.doesNotMatch(cutForDisplay(text, 255), /\p{Cs}/u);
  });
});

describe('detachedCopy', () => {
  test('copies every UTF-16 unit, astral characters and lone surrogates included', () => {
    for (const text of ['', 'abc', 'é日Ω😀…', '\ud800x\udfff', ' padded ']) assert.equal(detachedCopy(text), text);
  });
});
