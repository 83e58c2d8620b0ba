import { Transform, type TransformCallback } from 'node:stream';
import { fieldTooLargeError, recordTooLargeError, resolveMaxRecordBytes, tooManyColumnsError, type CsvLimits } from './limits.js';
import { toError } from '../errors.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * A pass-through that lexes the raw bytes just enough to enforce the CSV limits before csv-parse
 * buffers anything: csv-parse's own max_record_size is per record and cannot tell a huge field
 * from a wide row, nor name the column count of a header it refused to finish.
 *
 * The lexing mirrors csv-parse with relax_quotes and record delimiters \r\n, \n and \r: a quote
 * opens quoting only at the start of a field; inside quotes "" is a literal quote and any other
 * quote ends quoting. Line numbers count \r\n, \r and \n once each, inside quotes too.
 */
export type CsvLimitGuard = Transform & {
  /**
   * True once a line break inside quotes has been scanned. The guard scans each chunk before
   * passing it on, so a parser downstream cannot emit a record holding such a line break before
   * this is true: until then, counting line breaks inside fields is needless.
   */
  readonly quotedLineBreakSeen: boolean;
};

export function createCsvLimitGuard(limits: CsvLimits): CsvLimitGuard {
  const { maxColumns, maxFieldBytes } = limits;
  const maxRecordBytes = resolveMaxRecordBytes(limits);

  let bomMatched = 0; // csv-parse drops a leading UTF-8 BOM, so a quote right after it still opens quoting
  let bomDone = false;
  let line = 1;
  let inQuotes = false;
  let quotedLineBreakSeen = false;
  let quotePending = false; // inside quotes, a quote was seen: "" escape or the closing quote, the next byte decides
  let crPending = false; // the previous byte was CR: a following LF belongs to the same line break
  let fieldBytes = 0;
  let fieldLine = 1;
  let recordFields = 0; // fields completed in the current record
  let recordBytes = 0;
  let recordLine = 1;

  // Once a record has too many columns the file is refused, but the scan goes on to the end of
  // that record to name the exact count; nothing more is passed on meanwhile, so csv-parse never
  // holds more than maxColumns fields.
  let tooWide = false;

  const growRecord = (n: number): void => {
    recordBytes += n;
    if (recordBytes > maxRecordBytes) {
      // A header of tiny names can hit the byte cap first; the column count is the better diagnosis.
      if (tooWide) throw tooManyColumnsError(recordFields + 1, recordLine, maxColumns, false);
      throw recordTooLargeError(recordLine, maxRecordBytes);
    }
  };

  /** Adds `n` bytes to the field and the record, failing as adding them one at a time would. */
  const grow = (n: number): void => {
    const fieldRoom = maxFieldBytes - fieldBytes;
    // Byte by byte, the field's cap is checked before the record's, so it wins a tie.
    if (n > fieldRoom && fieldRoom <= maxRecordBytes - recordBytes) throw fieldTooLargeError(fieldLine, maxFieldBytes);
    fieldBytes += n;
    growRecord(n);
  };

  const endField = (): void => {
    recordFields += 1;
    fieldBytes = 0;
    fieldLine = line;
    if (recordFields + 1 > maxColumns) tooWide = true;
  };

  const endRecord = (): void => {
    const columns = recordFields + 1;
    if (columns > maxColumns) throw tooManyColumnsError(columns, recordLine, maxColumns, true);
  };

  const isRecordEmpty = (): boolean => recordFields === 0 && fieldBytes === 0;

  const startRecord = (): void => {
    recordFields = 0;
    recordBytes = 0;
    fieldBytes = 0;
    fieldLine = line;
    recordLine = line;
  };

  const scan = (buf: Buffer): void => {
    for (let i = 0; i < buf.length; i += 1) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- i < buf.length
      const b = buf[i]!;
      if (!bomDone) {
        if (b === BOM[bomMatched]) {
          bomMatched += 1;
          bomDone = bomMatched === BOM.length;
          continue;
        }
        bomDone = true;
        if (bomMatched > 0) grow(bomMatched); // a partial BOM is ordinary content
      }
      const afterCr = crPending;
      crPending = false;

      if (quotePending) {
        quotePending = false;
        if (b === QUOTE) {
          grow(1);
          continue;
        }
        inQuotes = false;
      }

      if (inQuotes) {
        if (b === QUOTE) quotePending = true;
        else if (b === CR) {
          line += 1;
          crPending = true;
          quotedLineBreakSeen = true;
        } else if (b === LF) {
          if (!afterCr) line += 1;
          quotedLineBreakSeen = true;
        } else {
          // A run of ordinary bytes inside quotes is counted at once: the hot path of big files.
          let end = i + 1;
          while (end < buf.length && buf[end] !== QUOTE && buf[end] !== CR && buf[end] !== LF) end += 1;
          grow(end - i);
          i = end - 1;
          continue;
        }
        grow(1);
        continue;
      }

      if (b === LF && afterCr) continue;
      if (b === LF || b === CR) {
        if (!isRecordEmpty()) endRecord();
        line += 1;
        crPending = b === CR;
        startRecord();
        continue;
      }
      if (b === COMMA) {
        endField();
        growRecord(1);
        continue;
      }
      if (b === QUOTE && fieldBytes === 0) {
        inQuotes = true;
        grow(1);
        continue;
      }
      // The rest of an unquoted field (a quote inside it is literal) is counted at once.
      let end = i + 1;
      while (end < buf.length && buf[end] !== COMMA && buf[end] !== LF && buf[end] !== CR) end += 1;
      grow(end - i);
      i = end - 1;
    }
  };

  const guard = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        scan(chunk);
      } catch (error) {
        callback(toError(error));
        return;
      }
      callback(null, tooWide ? undefined : chunk);
    },
    flush(callback: TransformCallback) {
      try {
        // An unclosed quote at the end is csv-parse's to report as a bad row.
        const unclosed = inQuotes && !quotePending;
        if (!unclosed && !isRecordEmpty()) endRecord();
      } catch (error) {
        callback(toError(error));
        return;
      }
      callback();
    },
  });
  // as: defineProperty returns its argument's type; the getter just added makes it a CsvLimitGuard.
  return Object.defineProperty(guard, 'quotedLineBreakSeen', { get: () => quotedLineBreakSeen }) as CsvLimitGuard;
}
