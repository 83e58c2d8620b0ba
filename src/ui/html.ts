/**
 * The dashboard's HTML builder: `html\`...\`` escapes every interpolated string or number (& < > " '),
 * in text and in attribute values alike, and inserts a SafeHtml (the result of another `html\`\``)
 * or an array of them as it is. null, undefined and booleans render nothing, so
 * `${condition && html\`...\`}` reads naturally. There is no way to insert unescaped text on purpose:
 * markup is only ever written in a template. It is the same builder the report emails use.
 */
export { escapeHtml, html, SafeHtml, type HtmlValue } from '../delivery/html.js';
