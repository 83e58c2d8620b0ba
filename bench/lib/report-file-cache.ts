import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateReportCsv } from './generate-report-csv.js';
import type { GeneratedReport } from './generate-report-csv.js';

const generatorSource = fileURLToPath(new URL('./generate-report-csv.ts', import.meta.url));

/** Where generated reports are kept between runs (a 1 GB file takes a minute or more to write). */
export function reportCacheDir(): string {
  return join(os.tmpdir(), 'report-relay-bench-cache');
}

/**
 * A generated usage report of about `mb` MB, written once and reused by later runs. The cache
 * key includes a hash of the generator's source, so a changed generator never serves a stale file.
 */
export async function cachedReportCsv(mb: number, options: { seed?: number; log?: (line: string) => void } = {}): Promise<GeneratedReport> {
  const seed = options.seed ?? 1;
  const version = createHash('sha256')
    .update(await readFile(generatorSource))
    .digest('hex')
    .slice(0, 12);
  const dir = reportCacheDir();
  const path = join(dir, `usage-${mb}MB-seed${seed}-${version}.csv`);
  const facts = `${path}.json`;
  try {
    const report = JSON.parse(await readFile(facts, 'utf8')) as GeneratedReport;
    if ((await stat(path)).size === report.bytes) return report;
  } catch {
    // not generated yet, or half written by an interrupted run
  }
  await mkdir(dir, { recursive: true });
  options.log?.(`generating a ${mb} MB usage report into ${dir} (kept for later runs)`);
  const temp = `${path}.${process.pid}.tmp`;
  const report = await generateReportCsv({ path: temp, targetBytes: mb * 1e6, seed });
  await rename(temp, path);
  const result = { ...report, path };
  await writeFile(facts, JSON.stringify(result));
  return result;
}
