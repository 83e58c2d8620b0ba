import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { withTempDir } from '../helpers/temp-dir.js';
import type { UploadMemoryResult } from './s3-upload-memory-probe.js';

const PROBE = fileURLToPath(new URL('./s3-upload-memory-probe.ts', import.meta.url));
const MB = 1024 * 1024;
const SIZE = 1024 * MB;
/**
 * The bound: Node and the SDK loaded (about 100 MB), lib-storage's queue of 4 parts of 8 MiB in
 * flight (each perhaps held twice while it is signed and sent), and stream buffers. A file held
 * whole, or parts piling up, would pass 1 GB.
 */
const MAX_PEAK_RSS = 300 * MB;

/** 1 GiB of CSV made fast: one 1 MiB block of rows, written 1,024 times; returns its sha256. */
async function writeBigCsv(path: string): Promise<string> {
  const row = 'organization,0123456789abcdef01234567,Acme Manufacturing,2026-01-01T00:00:00.000Z,12345,678901,2345\n';
  const block = Buffer.alloc(MB, row);
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    for (let written = 0; written < SIZE; written += MB) {
      await file.write(block);
      hash.update(block);
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}

function runProbe(endpoint: string, bucket: string, path: string): Promise<UploadMemoryResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', PROBE, endpoint, bucket, path], { timeout: 540_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`the probe failed: ${error.message}\n${stderr.slice(-2_000)}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as UploadMemoryResult);
    });
  });
}

describe('a 1 GiB report in the S3 archive', () => {
  let s3: TestS3;
  before(async () => {
    s3 = await startS3();
  });
  after(async () => {
    await s3.stop();
  });

  test('is uploaded and read back with its digest checked in bounded memory', async (t) => {
    await withTempDir('s3-big-', async (dir) => {
      const path = join(dir, 'report.csv');
      let started = performance.now();
      const sha256 = await writeBigCsv(path);
      const writeMs = performance.now() - started;
      started = performance.now();
      const result = await runProbe(s3.endpoint, s3.bucket, path);
      const probeMs = performance.now() - started;
      t.diagnostic(
        `1 GiB: peak RSS ${(result.peakRssBytes / MB).toFixed(0)} MiB (bound ${MAX_PEAK_RSS / MB} MiB); file made in ${(writeMs / 1000).toFixed(1)} s, ` +
          `uploaded in ${(result.uploadMs / 1000).toFixed(1)} s, read back in ${(result.readMs / 1000).toFixed(1)} s, probe ${(probeMs / 1000).toFixed(1)} s`,
      );
      assert.equal(result.bytes, SIZE);
      assert.equal(result.sha256, sha256);
      assert.equal(result.readBackBytes, SIZE);
      assert.ok(result.peakRssBytes < MAX_PEAK_RSS, `peak RSS ${(result.peakRssBytes / MB).toFixed(0)} MiB, above ${MAX_PEAK_RSS / MB} MiB`);
    });
  });
});
