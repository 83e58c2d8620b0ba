import assert from 'node:assert/strict';
import { mkdir, readdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import type { ArchiveSweep } from '../../src/delivery/archive.js';
import { createFileArchive } from '../../src/delivery/file-archive.js';
import { withTempDir } from '../helpers/temp-dir.js';

const DAY_MS = 86_400_000;
const now = Date.now();
const cutoff = new Date(now - 30 * DAY_MS);
const longAgo = new Date(now - 40 * DAY_MS);

/** Writes `path` (relative to `base`) and, when `modified` is given, dates it back. */
async function file(base: string, path: string, modified?: Date): Promise<void> {
  const full = join(base, path);
  await mkdir(dirname(full), { recursive: true });
  await writeFile(full, 'x');
  if (modified) await utimes(full, modified, modified);
}

/** Every file and folder below `dir`, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1)).sort();
}

describe('file archive retention (removeOlderThan)', () => {
  test('files last modified before the cutoff go, with temp files and the folders they leave empty; recent ones stay', async () => {
    await withTempDir('archive-retention-', async (dir) => {
      const root = join(dir, 'archive');
      await file(root, 'reports/2026/01/r-old/report.csv', longAgo);
      await file(root, 'reports/2026/01/r-old/summary.json', longAgo);
      await file(root, 'reports/2026/01/r-old/.summary.json.0123456789abcdef.tmp', longAgo);
      // Requested in an old month but written recently (a late callback): its own time decides.
      await file(root, 'reports/2026/01/r-late/report.csv');
      await file(root, 'reports/2026/02/r-gone/report.csv', longAgo);
      await file(root, 'reports/2026/03/r-new/report.csv');
      await file(root, 'reports/2026/03/r-new/.report.csv.fedcba9876543210.tmp');

      const sweep = await createFileArchive(root).removeOlderThan(cutoff, { limit: 100 });

      assert.deepEqual(sweep, { examined: 7, removed: 4, resumeAfter: null });
      assert.deepEqual(
        await tree(root),
        [
          'reports',
          'reports/2026',
          'reports/2026/01',
          'reports/2026/01/r-late',
          'reports/2026/01/r-late/report.csv',
          'reports/2026/03',
          'reports/2026/03/r-new',
          'reports/2026/03/r-new/.report.csv.fedcba9876543210.tmp',
          'reports/2026/03/r-new/report.csv',
        ].sort(),
      );
    });
  });

  test('nothing outside the root, nor what the archive did not make inside it, is touched, and links are not followed', async () => {
    await withTempDir('archive-retention-', async (dir) => {
      const root = join(dir, 'archive');
      await file(dir, 'outside/report.csv', longAgo);
      await file(dir, 'archive-sibling.csv', longAgo);
      await file(root, 'lost+found/old-file', longAgo);
      await file(root, '.snapshot/reports/2026/01/r1/report.csv', longAgo);
      await file(root, 'reports/2026/01/.hidden-but-not-a-temp-file', longAgo);
      await file(root, 'reports/2026/01/r1/report.csv', longAgo);
      await symlink(join(dir, 'outside'), join(root, 'reports/2026/01/linked-folder'));
      await symlink(join(dir, 'outside/report.csv'), join(root, 'reports/2026/01/linked-file.csv'));

      const sweep = await createFileArchive(root).removeOlderThan(cutoff, { limit: 100 });

      assert.deepEqual(sweep, { examined: 1, removed: 1, resumeAfter: null });
      assert.deepEqual(
        await tree(dir),
        [
          'archive',
          'archive-sibling.csv',
          'archive/.snapshot',
          'archive/.snapshot/reports',
          'archive/.snapshot/reports/2026',
          'archive/.snapshot/reports/2026/01',
          'archive/.snapshot/reports/2026/01/r1',
          'archive/.snapshot/reports/2026/01/r1/report.csv',
          'archive/lost+found',
          'archive/lost+found/old-file',
          'archive/reports',
          'archive/reports/2026',
          'archive/reports/2026/01',
          'archive/reports/2026/01/.hidden-but-not-a-temp-file',
          'archive/reports/2026/01/linked-file.csv',
          'archive/reports/2026/01/linked-folder',
          'outside',
          'outside/report.csv',
        ].sort(),
      );
    });
  });

  test('each call looks at no more than `limit` files and the next one goes on where it stopped', async () => {
    await withTempDir('archive-retention-', async (dir) => {
      const root = join(dir, 'archive');
      const archive = createFileArchive(root);
      for (let index = 0; index < 5; index += 1) {
        await file(root, `reports/2026/01/r-${index}-old/report.csv`, longAgo);
        await file(root, `reports/2026/01/r-${index}-new/report.csv`);
      }

      const first = await archive.removeOlderThan(cutoff, { limit: 3 });
      // In name order: r-0-new, r-0-old, r-1-new, then (next call) r-1-old, ...
      assert.deepEqual(first, { examined: 3, removed: 1, resumeAfter: 'reports/2026/01/r-1-new/report.csv' });
      const sweeps: ArchiveSweep[] = [first];
      for (let resumeAfter: string | null = first.resumeAfter; resumeAfter !== null;) {
        assert.ok(sweeps.length < 10, 'the sweep comes to an end');
        const sweep = await archive.removeOlderThan(cutoff, { limit: 3, resumeAfter });
        sweeps.push(sweep);
        resumeAfter = sweep.resumeAfter;
      }

      assert.deepEqual(
        sweeps.map((sweep) => [sweep.examined, sweep.removed]),
        [
          [3, 1],
          [3, 2],
          [3, 1],
          [1, 1],
        ],
      );
      assert.deepEqual(await readdir(join(root, 'reports/2026/01')), ['r-0-new', 'r-1-new', 'r-2-new', 'r-3-new', 'r-4-new']);
    });
  });

  test('an empty folder left long ago goes; one just made is left to its writer', async () => {
    await withTempDir('archive-retention-', async (dir) => {
      const root = join(dir, 'archive');
      await mkdir(join(root, 'reports/2026/02/r-being-written'), { recursive: true });
      await mkdir(join(root, 'reports/2026/02/r-abandoned'), { recursive: true });
      await utimes(join(root, 'reports/2026/02/r-abandoned'), longAgo, longAgo);

      assert.deepEqual(await createFileArchive(root).removeOlderThan(cutoff, { limit: 10 }), { examined: 0, removed: 0, resumeAfter: null });

      assert.deepEqual(await tree(root), ['reports', 'reports/2026', 'reports/2026/02', 'reports/2026/02/r-being-written']);
    });
  });

  test('an archive that was never written to has nothing to remove', async () => {
    await withTempDir('archive-retention-', async (dir) => {
      assert.deepEqual(await createFileArchive(join(dir, 'absent')).removeOlderThan(cutoff, { limit: 10 }), { examined: 0, removed: 0, resumeAfter: null });
    });
  });
});
