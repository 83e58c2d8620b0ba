import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { BULL_BOARD_TEMPLATE, inlineStyleHashes, withoutExternalFonts } from '../../src/ui/queue-board-page.js';

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe("the queue board's page template", () => {
  test('the literal inline styles are hashed (each once); a style holding a template tag is not', () => {
    const template = `<div style="display:flex;gap:1rem;"><span style="color:red"></span><span style="color:red"></span>
      <span style="width:<%= width %>"></span></div><style>@keyframes x{0%{opacity:0}}</style><style><%- css %></style>`;
    assert.deepEqual(inlineStyleHashes(template), {
      elements: [hash('@keyframes x{0%{opacity:0}}')],
      attributes: [hash('display:flex;gap:1rem;'), hash('color:red')],
    });
  });

  test("the installed template's styles are found, and its scripts are files or data, never inline code (script-src stays 'self')", () => {
    const hashes = inlineStyleHashes();
    assert.ok(hashes.elements.length >= 1);
    assert.ok(hashes.attributes.length >= 1);
    const scripts = [...readFileSync(BULL_BOARD_TEMPLATE, 'utf8').matchAll(/<script\b([^>]*)>/gu)].map((match) => match[1] ?? '');
    assert.ok(scripts.length > 0);
    for (const attributes of scripts) assert.match(attributes, /\ssrc="static\/js\/[^"]+\.js"|type="application\/json"/u, attributes);
  });

  test("the Google Fonts stylesheet link is taken out; the page's own stylesheet stays", () => {
    const page = `<head>
    <link href="https://fonts.googleapis.com/css2?family=IBM+Plex+Sans:wght@400&amp;display=swap" rel="stylesheet">
<link href="static/css/main.css" rel="stylesheet"></head>`;
    assert.equal(
      withoutExternalFonts(page),
      `<head>
    <link href="static/css/main.css" rel="stylesheet"></head>`,
    );
  });
});
