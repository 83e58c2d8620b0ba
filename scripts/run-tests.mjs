// Runs every test file under test/ with Node's built-in runner through tsx.
// Node 20's --test does not expand globs, so the file list is built here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import process from 'node:process';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

// Arguments may name test files or folders; none means every test under test/.
const filter = process.argv.slice(2);
const files = (filter.length > 0 ? filter : ['test']).flatMap((path) => (statSync(path).isDirectory() ? findTests(path) : [path])).sort();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=600000', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
