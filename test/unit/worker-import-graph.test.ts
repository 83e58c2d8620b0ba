import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

// Static value imports and re-exports (`import type` / `export type` are erased by the compiler;
// `await import()` is left out on purpose: it loads only when reached).
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gmu;

/** Every module a process starting at `entry` loads before running: files of src/ and the packages they name. */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (specifier!.startsWith('.')) visit(resolve(dirname(file), specifier!.replace(/\.js$/u, '.ts')));
      else if (!specifier!.startsWith('node:'))
        packages.add(specifier!.startsWith('@') ? specifier!.split('/').slice(0, 2).join('/') : specifier!.split('/')[0]!);
    }
  };
  visit(join(root, entry));
  return { files: new Set([...files].map((file) => relative(root, file))), packages };
}

describe('what the worker process loads', () => {
  test('src/worker.ts does not load the web side: no Express, helmet, HTTP routes, schedules; Losant only through the read-only instance facts', () => {
    const { files, packages } = staticGraph('src/worker.ts');
    assert.ok(files.has('src/service.ts') && files.has('src/wiring/steps.ts') && files.has('src/csv/read-report.ts'), 'the graph is followed');
    for (const name of ['express', 'helmet']) assert.ok(!packages.has(name), `${name} is loaded: ${[...packages].join(', ')}`);
    const web = [...files].filter((file) => /^src\/(?:http|schedules)\/|^src\/wiring\/web\.ts$/u.test(file));
    assert.deepEqual(web, []);
    // The worker reads the instance for each report's insights (limits, counts), so the Losant
    // client is in its graph; but only src/wiring/instance-facts.ts may import it, and that file
    // hands the insights a port of read actions (no patch, no generateReport). Requesting reports
    // and changing the instance's schedules stay with the web side. The client module still holds
    // the mutating actions' code: they are unreachable from the worker, not absent.
    const intoLosant = [...files].filter(
      (file) =>
        !file.startsWith('src/losant/') &&
        /from '\.\.?\/(?:\.\.\/)*losant\/[^']*'/u.test(readFileSync(join(root, file), 'utf8').replace(/^import type .*$/gmu, '')),
    );
    assert.deepEqual(intoLosant, ['src/wiring/instance-facts.ts']);
    assert.ok(!files.has('src/losant/index.ts'), 'the whole Losant module (with its request schemas for reports) is not loaded');
  });

  test('the web and single-machine entry points reach the web side (through createService)', () => {
    const { files } = staticGraph('src/wiring/web.ts');
    assert.ok(files.has('src/http/app.ts'));
    const service = readFileSync(join(root, 'src/service.ts'), 'utf8');
    assert.match(service, /import\('\.\/wiring\/web\.js'\)/u);
  });
});
