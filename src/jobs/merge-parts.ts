import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Joins a report delivered as several CSV files into one. Later parts that repeat the first
 * part's header line have it dropped, so the result has one header; anything else is kept.
 */
export async function mergeCsvParts(parts: readonly string[], destination: string): Promise<void> {
  const out = createWriteStream(destination);
  let header: string | null = null;
  let endsWithNewline = true;
  try {
    for (const [index, part] of parts.entries()) {
      // A part that does not end its last line must not glue it to the next part's first row.
      if (!endsWithNewline) out.write('\n');
      const tail = new LastByte();
      if (index === 0) {
        const firstLine = new FirstLine();
        await pipeline(createReadStream(part), firstLine, tail, out, { end: false });
        header = firstLine.line;
      } else {
        await pipeline(createReadStream(part), new SkipLineIf(header), tail, out, { end: false });
      }
      endsWithNewline = tail.last === null || tail.last === 0x0a;
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}

const MAX_HEADER = 1024 * 1024;

/** Passes everything through and remembers the last byte. */
class LastByte extends Transform {
  last: number | null = null;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (chunk.length > 0) this.last = chunk[chunk.length - 1] ?? null;
    callback(null, chunk);
  }
}

/** Passes everything through and remembers the first line. */
class FirstLine extends Transform {
  line: string | null = null;
  private buffered = '';
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.line === null && this.buffered.length < MAX_HEADER) {
      this.buffered += chunk.toString('utf8');
      const end = this.buffered.indexOf('\n');
      if (end >= 0)
        this.line = this.buffered
          .slice(0, end)
          .replace(/\r$/u, '')
          .replace(/^\uFEFF/u, '');
    }
    callback(null, chunk);
  }
}

/** Drops the first line when it equals `header`; passes everything else through. */
class SkipLineIf extends Transform {
  private decided = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  constructor(private readonly header: string | null) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.decided) {
      callback(null, chunk);
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const joined = Buffer.concat(this.pending);
    const end = joined.indexOf(0x0a);
    if (end < 0 && this.pendingBytes < MAX_HEADER) {
      callback();
      return;
    }
    this.decided = true;
    this.pending = [];
    const first = joined
      .subarray(0, end < 0 ? joined.length : end)
      .toString('utf8')
      .replace(/\r$/u, '')
      .replace(/^\uFEFF/u, '');
    if (end >= 0 && first === this.header) callback(null, joined.subarray(end + 1));
    else callback(null, joined);
  }
  override _flush(callback: TransformCallback): void {
    callback(null, this.pending.length > 0 ? Buffer.concat(this.pending) : undefined);
  }
}
