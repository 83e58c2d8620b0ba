import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { pipeline, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGzip, type ZlibOptions } from 'node:zlib';
import { tempFileFor } from '../files/atomic-file.js';
import { BATCH_CHARS, neutralizedLine } from './neutralize.js';

export interface NeutralizedFile {
  /** Takes one parsed row (a RowCopy of summarizeReportCsv). */
  add(fields: readonly string[]): void;
  ready(): Promise<void> | null;
  /** Writes what is left and moves the file (and its gzip copy) into place. */
  finish(): Promise<void>;
  /** Drops the unfinished files. */
  discard(): Promise<void>;
}

const GZIP_INPUT_BUFFER_BYTES = 1024 * 1024;
const GZIP_OUTPUT_CHUNK_BYTES = 256 * 1024;

/** One output file written through a temporary one, optionally gzip-compressed on the way. */
interface TempFileSink {
  /** false: wait for `drained` before writing more. */
  write(text: string): boolean;
  drained(): Promise<void>;
  end(text: string): Promise<void>;
  commit(): Promise<void>;
  discard(): Promise<void>;
  failure(): Error | null;
}

function createTempFileSink(path: string, gzip: boolean): TempFileSink {
  const temp = tempFileFor(path);
  const file = createWriteStream(temp.path, { flags: 'wx', mode: 0o600 });
  // zlib compresses on libuv's thread pool, so the gzip copy costs the parsing thread little.
  // The compressor's input buffer holds several batches, so the parse goes on while zlib works
  // through the previous ones instead of waiting for each batch; its large output chunks mean few
  // hand-offs between zlib's thread and this one, each of which waits for the parse to yield.
  // (zlib streams take the stream options too; @types/node's ZlibOptions does not list them.)
  // as: zlib streams take stream options too (writableHighWaterMark), which ZlibOptions does not list.
  const compressor = gzip ? createGzip({ writableHighWaterMark: GZIP_INPUT_BUFFER_BYTES, chunkSize: GZIP_OUTPUT_CHUNK_BYTES } as ZlibOptions) : null;
  const entry: Writable = compressor ?? file;
  let failure: Error | null = null;
  const fail = (error: Error) => {
    failure ??= error;
  };
  if (compressor === null) file.on('error', fail);
  // pipeline, not pipe: a failure of either stream destroys both, so `end` cannot wait forever.
  else pipeline(compressor, file, (error) => error && fail(error));
  return {
    write: (text) => entry.write(text),
    drained: () => once(entry, 'drain').then(() => undefined),
    async end(text) {
      entry.end(text);
      await finished(file);
    },
    commit: () => temp.commit(),
    async discard() {
      entry.destroy();
      file.destroy();
      await temp.discard();
    },
    failure: () => failure,
  };
}

/**
 * The neutralized CSV written record by record from someone else's parse, so the attachment
 * costs no second parse of the report. With `gzipPath`, a gzip-compressed copy is written beside
 * it from the same text (for reports large enough to be sent compressed). Each goes to a
 * temporary file renamed by `finish`: a reader never finds half an attachment under a path.
 */
export function createNeutralizedFile(path: string, gzipPath?: string): NeutralizedFile {
  const sinks = [createTempFileSink(path, false), ...(gzipPath === undefined ? [] : [createTempFileSink(gzipPath, true)])];
  const firstFailure = () => sinks.map((sink) => sink.failure()).find((failure) => failure !== null) ?? null;
  let batch = '';
  return {
    add(fields) {
      batch += neutralizedLine(fields);
    },
    ready() {
      const failure = firstFailure();
      if (failure !== null) return Promise.reject(failure);
      if (batch.length < BATCH_CHARS) return null;
      const full = sinks.filter((sink) => !sink.write(batch));
      batch = '';
      return full.length === 0 ? null : Promise.all(full.map((sink) => sink.drained())).then(() => undefined);
    },
    async finish() {
      const failure = firstFailure();
      if (failure !== null) throw failure;
      const rest = batch;
      batch = '';
      await Promise.all(sinks.map((sink) => sink.end(rest)));
      for (const sink of sinks) await sink.commit();
    },
    async discard() {
      await Promise.all(sinks.map((sink) => sink.discard()));
    },
  };
}
