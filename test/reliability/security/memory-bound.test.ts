import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startFileServer, type FileServer, type Route } from './harness.js';
import { bigCsv, bombDecodedBytes, gzipBomb, hugeField, served, wideCsv, type Served } from './hostile-files.js';

/*
 * The worst hostile inputs are each run in a child process holding the whole service
 * (memory-probe.ts), against files served from this process. Each input is far larger than the
 * child's V8 heap cap (HEAP_CAP_MIB; 256 MiB written before the download cap, plain or decoded
 * from a gzip bomb, a 200 MiB field, 190 MiB of 100,000-column rows, a 400 MiB callback body), so
 * a stage that gathered a file or body into strings or objects would crash the child instead of
 * failing the report cleanly. Peak RSS is printed as a diagnostic only: its bound is the
 * benchmark's (bench/README.md), where machine load cannot move it.
 */

const MiB = 1024 * 1024;
const HEAP_CAP_MIB = 128;
const PROBE = fileURLToPath(new URL('./memory-probe.ts', import.meta.url));
let files: FileServer;

interface ProbeResult {
  kind: string;
  status?: string;
  step?: string;
  code?: string;
  message?: string;
  httpStatus?: number | string;
  stored?: string;
  ms: number;
  baselineRss: number;
  sampledPeakRss: number;
  maxRss: number;
  normalReportAfter: string;
}

function probe(args: string[]): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [`--max-old-space-size=${HEAP_CAP_MIB}`, '--import', 'tsx', PROBE, ...args],
      { timeout: 300_000, maxBuffer: 4 * MiB },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`probe ${args[0]} failed: ${error.message}\n${stderr}`));
          return;
        }
        const line = stdout.trim().split('\n').at(-1) ?? '';
        resolve(JSON.parse(line) as ProbeResult);
      },
    );
  });
}

const mib = (bytes: number): string => `${(bytes / MiB).toFixed(0)} MiB`;

describe('peak memory under hostile inputs (child process per case)', () => {
  before(async () => {
    files = await startFileServer();
  });
  after(async () => {
    await files.close();
  });

  const plain = (s: Served): number => s.bytes;
  const downloads: Array<[string, (s: Served) => Route, string, string, string, (s: Served) => number]> = [
    ['an endless CSV (cap 256 MiB)', (s) => bigCsv(s), '/endless.csv', 'download', 'download_too_large', plain],
    [
      'an endless gzip bomb (cap 256 MiB decoded)',
      (s) => gzipBomb(s, { members: Number.POSITIVE_INFINITY, as: 'content-encoding' }),
      '/bomb.csv',
      'download',
      'download_too_large',
      bombDecodedBytes,
    ],
    ['a 200 MiB single field', (s) => hugeField(s, 200 * MiB), '/field.csv', 'parse', 'csv_field_too_large', plain],
    ['100,000 columns × 1,000 rows (190 MiB)', (s) => wideCsv(s, 100_000, 1_000), '/wide.csv', 'parse', 'csv_too_many_columns', plain],
  ];
  for (const [name, make, path, step, code, exposed] of downloads) {
    test(`${name}: the report fails with ${code}, the next one is delivered, under a ${HEAP_CAP_MIB} MiB heap`, async (t) => {
      const stats = served();
      files.route(path, make(stats));
      const result = await probe(['download', `${files.url}${path}`]);
      t.diagnostic(
        `${name}: peak RSS ${mib(result.maxRss)} (ru_maxrss), sampled peak ${mib(result.sampledPeakRss)}, baseline ${mib(result.baselineRss)}, ${mib(exposed(stats))} offered, ${result.ms} ms`,
      );
      assert.equal(result.status, 'failed', JSON.stringify(result));
      assert.equal(result.step, step);
      assert.equal(result.code, code, result.message);
      assert.equal(result.normalReportAfter, 'delivered');
      assert.ok(exposed(stats) > HEAP_CAP_MIB * MiB, `the input (${mib(exposed(stats))}) is larger than the heap, so gathering it would show`);
    });
  }

  test(`a 400 MiB callback body streamed without Content-Length: 413, nothing stored, under a ${HEAP_CAP_MIB} MiB heap`, async (t) => {
    const result = await probe(['callback-flood']);
    t.diagnostic(
      `callback flood: peak RSS ${mib(result.maxRss)} (ru_maxrss), sampled peak ${mib(result.sampledPeakRss)}, baseline ${mib(result.baselineRss)}, ${result.ms} ms`,
    );
    assert.ok([413, 'ECONNRESET', 'EPIPE'].includes(result.httpStatus ?? ''), `answer: ${String(result.httpStatus)}`);
    assert.equal(result.stored, 'requested', 'nothing was stored');
    assert.equal(result.normalReportAfter, 'delivered');
  });
});
