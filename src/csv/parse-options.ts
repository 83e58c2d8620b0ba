import type { CsvError } from 'csv-parse';
import { recordTooLargeError, resolveMaxRecordBytes, type CsvLimits } from './limits.js';

/** csv-parse options shared by parsing and neutralizing: tolerant of real-world quoting, strict about size. */
export function baseParseOptions(limits: CsvLimits) {
  return {
    bom: true,
    // A stray quote inside an unquoted name (`5" screen`) stays literal instead of swallowing rows.
    relax_quotes: true,
    relax_column_count: true,
    skip_records_with_error: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    // A backstop only: the limit guard stops oversized records first, byte-exact.
    max_record_size: resolveMaxRecordBytes(limits),
  };
}

/** Only an unclosed quote at the end of the file remains a skippable error with the options above. */
export function describeSkippedRow(error: CsvError | undefined): string {
  if (error?.code === 'CSV_QUOTE_NOT_CLOSED') return 'unclosed quote: the record runs to the end of the file';
  return error?.message ?? 'unreadable record';
}

export function throwIfRecordTooLarge(error: CsvError | undefined, limits: CsvLimits): void {
  if (error?.code === 'CSV_MAX_RECORD_SIZE') throw recordTooLargeError(null, resolveMaxRecordBytes(limits));
}
