import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { isGzipFile, parseContentEncoding, writeBody, type BodyPlan } from '../../src/download/body-writer.js';
import { DownloadError } from '../../src/download/errors.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'download-body-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const plan = (overrides: Partial<BodyPlan> = {}): BodyPlan => ({
  encodings: [],
  sniffGzip: false,
  maxBytes: 1024 * 1024,
  maxTransferBytes: 1024 * 1024,
  ...overrides,
});

/** A body delivered in small pieces, as a network would, so stages see many chunks. */
function bodyOf(data: Buffer, pieceSize = 7): Readable {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += pieceSize) pieces.push(data.subarray(offset, offset + pieceSize));
  return Readable.from(pieces, { objectMode: false });
}

describe('Content-Encoding', () => {
  test('names are read case-insensitively, identity is ignored, x-gzip is gzip', () => {
    assert.deepEqual(parseContentEncoding(undefined), []);
    assert.deepEqual(parseContentEncoding(''), []);
    assert.deepEqual(parseContentEncoding('identity'), []);
    assert.deepEqual(parseContentEncoding('GZIP'), ['gzip']);
    assert.deepEqual(parseContentEncoding('x-gzip'), ['gzip']);
    assert.deepEqual(parseContentEncoding('gzip, br'), ['gzip', 'br']);
    assert.deepEqual(parseContentEncoding(['deflate', 'identity']), ['deflate']);
  });

  test('an unknown coding or a stack of more than two is a permanent error', () => {
    for (const header of ['compress', 'zstd', 'gzip, gzip, gzip']) {
      assert.throws(
        () => parseContentEncoding(header),
        (error: unknown) => error instanceof DownloadError && error.code === 'download_unsupported_encoding' && !error.retryable,
        header,
      );
    }
  });
});

describe('gzip files served as such', () => {
  test('are recognized by media type or a .gz path', () => {
    assert.equal(isGzipFile('application/gzip', '/report'), true);
    assert.equal(isGzipFile('Application/X-Gzip; charset=binary', '/report'), true);
    assert.equal(isGzipFile('application/octet-stream', '/exports/report.CSV.GZ'), true);
    assert.equal(isGzipFile('text/csv', '/report.csv'), false);
    assert.equal(isGzipFile(null, '/report.csv'), false);
  });
});

describe('writeBody', () => {
  test('undoes stacked codings from the last applied, and hashes the decoded bytes', async () => {
    const csv = Buffer.from('org,payloads\n'.repeat(500));
    // "Content-Encoding: gzip, br" means gzip was applied first, then br.
    const sent = brotliCompressSync(gzipSync(csv));
    const path = join(dir, 'stacked.csv');
    const result = await writeBody(bodyOf(sent), path, plan({ encodings: ['gzip', 'br'] }), new AbortController().signal);
    assert.deepEqual(await readFile(path), csv);
    assert.equal(result.bytes, csv.length);
    assert.equal(result.sha256, createHash('sha256').update(csv).digest('hex'));
  });

  test('sniffs gzip magic even when the first chunk holds a single byte', async () => {
    const csv = Buffer.from('a,b\n1,2\n');
    const path = join(dir, 'sniffed.csv');
    const result = await writeBody(bodyOf(gzipSync(csv), 1), path, plan({ sniffGzip: true }), new AbortController().signal);
    assert.deepEqual(await readFile(path), csv);
    assert.equal(result.bytes, csv.length);
  });

  test('a body of one byte is kept as is when sniffing', async () => {
    const path = join(dir, 'one-byte.csv');
    const result = await writeBody(bodyOf(Buffer.from('x')), path, plan({ sniffGzip: true }), new AbortController().signal);
    assert.equal(await readFile(path, 'utf8'), 'x');
    assert.equal(result.bytes, 1);
  });

  test('never writes more than the decoded cap', async () => {
    const path = join(dir, 'capped.csv');
    await assert.rejects(
      writeBody(bodyOf(gzipSync(Buffer.alloc(200_000)), 1024), path, plan({ encodings: ['gzip'], maxBytes: 50_000 }), new AbortController().signal),
      (error: unknown) => error instanceof DownloadError && error.code === 'download_too_large',
    );
    assert.ok(existsSync(path), 'the file is left for the caller to remove');
    assert.ok((await readFile(path)).length <= 50_000);
  });

  test('refuses a transfer larger than its cap even when it decodes small', async () => {
    const path = join(dir, 'transfer.csv');
    await assert.rejects(
      writeBody(bodyOf(Buffer.alloc(5_000, 'a'), 512), path, plan({ maxTransferBytes: 4_000 }), new AbortController().signal),
      (error: unknown) => error instanceof DownloadError && error.code === 'download_too_large' && error.message.includes('4000 bytes were sent'),
    );
  });
});
