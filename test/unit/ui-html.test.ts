import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csrfField } from '../../src/ui/forms.js';
import { html, SafeHtml } from '../../src/ui/html.js';
import { renderPage } from '../../src/ui/layout.js';

const HOSTILE = ['<img src=x onerror=alert(1)>', '"><script>alert(1)</script>', "' onmouseover='alert(1)", '&lt;already&gt; & more'];

describe('html: escaping by default', () => {
  test('interpolated text cannot open a tag, close an attribute or start an entity', () => {
    for (const value of HOSTILE) {
      const out = html`<p title="${value}">${value}</p>`.value;
      const [, attribute = '', text = ''] = /^<p title="([^"]*)">(.*)<\/p>$/su.exec(out) ?? [];
      for (const inner of [attribute, text]) assert.doesNotMatch(inner, /[<>"']/u, `${value} -> ${out}`);
      assert.equal(text, attribute, 'text and attribute values are escaped the same');
    }
    assert.equal(html`<p>${'<img src=x onerror=alert(1)>'}</p>`.value, '<p>&lt;img src=x onerror=alert(1)&gt;</p>');
    assert.equal(html`<a title="${'"><script>'}">x</a>`.value, '<a title="&quot;&gt;&lt;script&gt;">x</a>');
    assert.equal(html`<a title='${"' onclick='x"}'>x</a>`.value, "<a title='&#39; onclick=&#39;x'>x</a>");
    assert.equal(html`${'a & b'}`.value, 'a &amp; b');
  });

  test('numbers are text; SafeHtml and arrays of it go in as they are; null, undefined and booleans render nothing', () => {
    assert.equal(html`<td>${42}</td>`.value, '<td>42</td>');
    const row = html`<tr><td>${'<b>'}</td></tr>`;
    assert.equal(html`<tbody>${row}</tbody>`.value, '<tbody><tr><td>&lt;b&gt;</td></tr></tbody>');
    assert.equal(html`<ul>${['<x>', '&'].map((item) => html`<li>${item}</li>`)}</ul>`.value, '<ul><li>&lt;x&gt;</li><li>&amp;</li></ul>');
    assert.equal(html`${null}${undefined}${false}${true}`.value, '');
    assert.ok(html`x` instanceof SafeHtml);
  });

  test('an array of strings is escaped item by item', () => {
    assert.equal(html`${['<i>', '</i>']}`.value, '&lt;i&gt;&lt;/i&gt;');
  });
});

describe('page shell', () => {
  const page = (title: string) =>
    renderPage({
      title,
      body: html`<p>${title}</p>`,
      nav: [{ label: 'Overview', href: '/ui' }],
      currentPath: '/ui',
      csrfToken: 'tok"en',
      scripts: ['status-chart.js'],
    }).value;

  test('has a doctype, a language, a phone-width viewport, the stylesheet, a skip link and <main>', () => {
    const out = page('Overview');
    assert.match(out, /^<!doctype html>/u);
    assert.match(out, /<html lang="en">/u);
    assert.match(out, /<meta name="viewport" content="width=device-width, initial-scale=1" \/>/u);
    assert.match(out, /<link rel="stylesheet" href="\/ui\/assets\/app.css" \/>/u);
    assert.match(out, /<a class="skip-link" href="#main">/u);
    assert.match(out, /<main id="main"/u);
    assert.match(out, /<script type="module" src="\/ui\/assets\/status-chart.js"><\/script>/u);
    assert.match(out, /<a href="\/ui" aria-current="page">Overview<\/a>/u);
  });

  test('no inline script or style, and the title and CSRF token are escaped', () => {
    const plain = page('Overview');
    assert.doesNotMatch(plain, /<script(?![^>]*\bsrc=)[^>]*>/u, 'every script has a src');
    assert.doesNotMatch(plain, /<style|style=|\son[a-z]+=/u);
    const out = page('<img src=x onerror=alert(1)>');
    assert.doesNotMatch(out, /<img/u);
    assert.match(out, /<title>&lt;img src=x onerror=alert\(1\)&gt; · report-relay<\/title>/u);
    assert.match(out, /name="_csrf" value="tok&quot;en"/u);
    assert.equal(csrfField({ csrfToken: '"><x' }).value, '<input type="hidden" name="_csrf" value="&quot;&gt;&lt;x" />');
  });

  test('a script name that is not a plain file name under /ui/assets is refused', () => {
    for (const name of ['https://cdn.example/x.js', '../x.js', '//evil/x.js', 'x.css']) {
      assert.throws(() => renderPage({ title: 't', body: html``, nav: [], currentPath: '/ui', csrfToken: null, scripts: [name] }), /not a script name/u);
    }
  });
});
