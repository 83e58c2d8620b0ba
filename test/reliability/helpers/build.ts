import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled entry points that Procfile runs, built at most once per change of src/: tests
 * that kill or signal processes run the real `dist/src/*.js`, not tsx. Several test files call
 * this at once, so the build runs under a lock directory (mkdir is atomic) and the others wait.
 */

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.reliability-build-stamp');
// Inside dist/ (git-ignored), so a run killed mid-build leaves nothing in the work tree.
const LOCK = join(DIST, '.reliability-build.lock');
const STALE_LOCK_MS = 180_000;

export type EntryPoint = 'web' | 'worker' | 'main';

export function entryPoint(name: EntryPoint): string {
  return join(DIST, 'src', `${name}.js`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // A file deleted while we look (someone is editing src/) simply does not count.
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0));
  }
  return newest;
}

function isFresh(): boolean {
  if (!existsSync(STAMP) || !existsSync(entryPoint('main'))) return false;
  return statSync(STAMP).mtimeMs >= newestMtime(join(ROOT, 'src'));
}

function tryLock(): boolean {
  try {
    mkdirSync(DIST, { recursive: true });
    mkdirSync(LOCK);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A lock left by a killed test run would block every later one.
    const heldFor = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (heldFor > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Compiles src/ to dist/ unless dist/ is newer than every source file. */
export async function ensureBuilt(): Promise<void> {
  const deadline = Date.now() + STALE_LOCK_MS;
  while (!isFresh()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for another test run to build dist/');
    if (!tryLock()) {
      await sleep(250);
      continue;
    }
    try {
      if (isFresh()) return;
      const startedAt = new Date();
      const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      // tsc exits 2 when it reports type errors but still wrote every file: a type error somewhere
      // in src/ is npm test's typecheck to report, so here only a missing output fails.
      if (result.status !== 0) process.stderr.write(`tsc -p tsconfig.build.json exited ${String(result.status)}:\n${result.stdout}${result.stderr}`);
      if (result.status !== 0 && result.status !== 2) throw new Error(`build failed (tsc exit ${String(result.status)})`);
      if (!existsSync(entryPoint('main'))) throw new Error('build produced no dist/src/main.js');
      writeFileSync(STAMP, startedAt.toISOString());
      // The stamp must not look newer than a source saved during the build.
      utimesSync(STAMP, startedAt, startedAt);
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}
