import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** Settings have one way in: a variable read anywhere else escapes validation, example.env and the README table. */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('src/config.ts is the only module under src/ that reads process.env', () => {
  const readers = readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => /\bprocess\.env\b/u.test(readFileSync(path, 'utf8')))
    .map((path) => relative(ROOT, path))
    .sort();
  assert.deepEqual(readers, ['src/config.ts']);
});
