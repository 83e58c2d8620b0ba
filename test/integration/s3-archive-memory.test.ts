import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { parseProcfileCommand } from '../../bench/lib/worker-command.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import type { S3MemoryResult } from './s3-archive-memory-probe.js';

const PROBE = fileURLToPath(new URL('./s3-archive-memory-probe.ts', import.meta.url));
const MiB = 1024 * 1024;
const REPORT_BYTES = 1024 * MiB;
/**
 * The uploading process's peak RSS may not pass this. lib-storage holds at most queueSize × partSize
 * (4 × 8 MiB) of the file, besides Node, tsx and the SDK (about 150 MB together); an upload that
 * buffered the file would need the whole gigabyte.
 */
const MAX_RSS_BYTES = 300e6;

/** A 1 GiB CSV written quickly: one 1 MiB block of rows, repeated; its sha256 computed on the way. */
async function writeLargeCsv(path: string): Promise<string> {
  const block = Buffer.alloc(MiB, 'org-0123456789abcdef,app-0123456789abcdef,2026-11-01,12345,67890,42\n');
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    for (let written = 0; written < REPORT_BYTES; written += MiB) {
      hash.update(block);
      await file.write(block);
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}

/** The probe, with the worker's node flags from the Procfile, as production runs it. */
function runProbe(env: Record<string, string>, source: string, key: string): Promise<S3MemoryResult> {
  const { nodeArgs } = parseProcfileCommand(readFileSync(new URL('../../Procfile', import.meta.url), 'utf8'), 'worker');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', ...nodeArgs, PROBE, source, key],
      { env: { ...process.env, ...env }, timeout: 600_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`the probe failed: ${error.message}\n${stderr.slice(-2_000)}`));
          return;
        }
        // as: the probe's last line is its S3MemoryResult
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as S3MemoryResult);
      },
    );
  });
}

describe('archiving a large report in an S3 bucket', () => {
  let s3: TestS3;
  let dir: string;
  before(async () => {
    s3 = await startS3();
    dir = await mkdtemp(join(tmpdir(), 's3-memory-'));
  });
  after(async () => {
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a 1 GiB report is uploaded and read back with its sha256 checked, the process staying under 300 MB', async (t) => {
    const source = join(dir, 'report.csv');
    let started = performance.now();
    const expected = await writeLargeCsv(source);
    const writeMs = performance.now() - started;

    started = performance.now();
    const result = await runProbe(s3.env('big'), source, 'reports/2026/11/big/report.csv');
    const probeMs = performance.now() - started;
    t.diagnostic(
      `1 GiB: written in ${(writeMs / 1000).toFixed(1)} s; uploaded in ${(result.putMs / 1000).toFixed(1)} s, read back in ` +
        `${(result.readMs / 1000).toFixed(1)} s (probe ${(probeMs / 1000).toFixed(1)} s); peak RSS ${(result.maxRssKb / 1024).toFixed(0)} MiB`,
    );
    assert.equal(result.bytes, REPORT_BYTES);
    assert.equal(result.sha256, expected);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'big/reports/2026/11/big/report.csv' }));
    assert.equal(head.ContentLength, REPORT_BYTES);
    assert.equal(head.Metadata?.sha256, expected);
    const peak = result.maxRssKb * 1024;
    assert.ok(peak < MAX_RSS_BYTES, `peak RSS ${(peak / 1e6).toFixed(0)} MB, above ${MAX_RSS_BYTES / 1e6} MB`);
  });
});
