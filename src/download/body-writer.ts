import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { DownloadError } from './errors.js';
import { createYoungGarbageCollector } from './young-garbage.js';
import { errorCode, errorMessage } from '../errors.js';

/**
 * Streams a response body to a file: transfer bytes counted, content codings undone, decoded
 * bytes counted and hashed, then written. Every stage pulls from the one before it, so a small
 * compressed body that inflates to gigabytes is stopped at the decoded cap with at most a few
 * zlib chunks in memory, and nothing beyond the cap reaches the disk.
 */

export type ContentCoding = 'gzip' | 'deflate' | 'br';

export interface BodyPlan {
  /** Content-Encoding codings, in the order the server applied them. */
  encodings: readonly ContentCoding[];
  /** Gunzip the decoded body if it starts with the gzip magic bytes (a .gz file served as such). */
  sniffGzip: boolean;
  /** Cap on decoded bytes written. */
  maxBytes: number;
  /** Cap on bytes received. */
  maxTransferBytes: number;
  /** The setting behind `maxBytes`, named in the error. */
  limitName?: string;
  /** Told the size of each decoded chunk as it is written (progress). */
  onBytes?: (bytes: number) => void;
}

export interface BodyResult {
  bytes: number;
  sha256: string;
}

const CODINGS: Record<string, ContentCoding> = { gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate', br: 'br' };
// Real servers apply one coding; a stack of them only multiplies the work a hostile body can cause.
const MAX_CODINGS = 2;

/** Reads Content-Encoding; throws a permanent error for a coding we cannot undo. */
export function parseContentEncoding(header: string | string[] | undefined): ContentCoding[] {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const names = text
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '' && name !== 'identity');
  const codings: ContentCoding[] = [];
  for (const name of names) {
    const coding = CODINGS[name];
    if (coding === undefined) {
      throw new DownloadError('download_unsupported_encoding', `the server sent the body with an unsupported Content-Encoding "${name}"`);
    }
    codings.push(coding);
  }
  if (codings.length > MAX_CODINGS) {
    throw new DownloadError('download_unsupported_encoding', `the server stacked ${codings.length} content codings; at most ${MAX_CODINGS} are accepted`);
  }
  return codings;
}

const GZIP_TYPES = new Set(['application/gzip', 'application/x-gzip']);

/** A body is gunzipped by its magic bytes only when the server also says it is a gzip file. */
export function isGzipFile(contentType: string | null, pathname: string): boolean {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return GZIP_TYPES.has(mediaType) || pathname.toLowerCase().endsWith('.gz');
}

export async function writeBody(body: Readable, path: string, plan: BodyPlan, signal: AbortSignal): Promise<BodyResult> {
  const hash = createHash('sha256');
  let transferred = 0;
  let written = 0;

  async function* countTransfer(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      transferred += chunk.length;
      if (transferred > plan.maxTransferBytes) throw tooLarge(`more than ${plan.maxTransferBytes} bytes were sent (DOWNLOAD_MAX_BYTES)`);
      yield chunk;
    }
  }

  async function* decode(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let stream: AsyncIterable<Buffer> = source;
    // Codings are listed in the order they were applied, so they are undone from the last.
    for (const coding of [...plan.encodings].reverse()) stream = inflate(stream, decoderFor(coding));
    if (plan.sniffGzip) stream = gunzipIfMagic(stream);
    yield* stream;
  }

  const collectYoungGarbage = createYoungGarbageCollector();

  async function* measure(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      written += chunk.length;
      collectYoungGarbage(chunk.length);
      // Checked before the chunk is passed on, so the file never grows past the cap.
      if (written > plan.maxBytes) throw tooLarge(`it is larger than the limit of ${plan.maxBytes} bytes (${plan.limitName ?? 'DOWNLOAD_MAX_BYTES'})`);
      hash.update(chunk);
      plan.onBytes?.(chunk.length);
      yield chunk;
    }
  }

  // The three steps are chained as generators in one pipeline stage rather than as three stages:
  // a stage keeps its own queue of up to 16 chunks, while chained generators hand one chunk at a
  // time from step to step.
  const file = createWriteStream(path, { flags: 'w', mode: 0o600 });
  try {
    await pipeline(body, (source: AsyncIterable<Buffer>) => measure(decode(countTransfer(source))), file, { signal });
  } finally {
    // A failed pipeline may settle while the file is still opening; the caller removes the
    // file next, so it must be closed first or a late open would bring it back.
    if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
  }
  return { bytes: written, sha256: hash.digest('hex') };
}

function tooLarge(why: string): DownloadError {
  return new DownloadError('download_too_large', `the download was refused because ${why}`);
}

function decoderFor(coding: ContentCoding): Transform {
  if (coding === 'gzip') return createGunzip();
  if (coding === 'deflate') return createInflate();
  return createBrotliDecompress();
}

function isZlibError(error: unknown): boolean {
  const code = errorCode(error);
  return typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR__ERROR') || code.startsWith('ERR_BROTLI'));
}

/** Runs a source through one decompressor, pulling only as fast as the consumer reads. */
async function* inflate(source: AsyncIterable<Buffer>, decoder: Transform): AsyncGenerator<Buffer> {
  const feeding = pipeline(Readable.from(source), decoder);
  // Its failure also destroys the decoder, so it surfaces in the loop below; this only keeps it
  // from being reported as unhandled when the loop stops first.
  feeding.catch(() => undefined);
  try {
    for await (const chunk of decoder) yield chunk as Buffer; // as: zlib streams yield Buffers; Node types them as any
    await feeding;
  } catch (error) {
    if (isZlibError(error)) {
      throw new DownloadError('download_decode_failed', `the compressed body could not be decoded: ${errorMessage(error)}`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    if (!decoder.destroyed) decoder.destroy();
  }
}

async function* gunzipIfMagic(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  try {
    while (length < 2) {
      const next = await iterator.next();
      if (next.done === true) break;
      head.push(next.value);
      length += next.value.length;
    }
  } catch (error) {
    await iterator.return?.();
    throw error;
  }
  const start = Buffer.concat(head);
  const rest = replay(head, iterator);
  if (start[0] === 0x1f && start[1] === 0x8b) yield* inflate(rest, createGunzip());
  else yield* rest;
}

/** The chunks already read, then the rest of the iterator, which is closed however this ends. */
async function* replay(head: readonly Buffer[], iterator: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* head;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}
