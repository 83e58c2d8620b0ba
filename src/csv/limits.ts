import { PermanentError } from '../errors.js';

/** What one usage-report CSV may hold before it is refused as not a report (config: CSV_MAX_*). */
export interface CsvLimits {
  maxColumns: number;
  maxFieldBytes: number;
  /**
   * Bytes one record (one row, all its fields) may hold. Optional: by default four maximal fields'
   * worth, so one legitimately large field still fits beside an ordinary row while the parser can
   * never be made to buffer more than a few megabytes for a single record.
   */
  maxRecordBytes?: number;
}

export function resolveMaxRecordBytes(limits: CsvLimits): number {
  return limits.maxRecordBytes ?? limits.maxFieldBytes * 4;
}

export function tooManyColumnsError(columns: number, line: number, limit: number, exact: boolean): PermanentError {
  const count = exact ? `${columns}` : `at least ${columns}`;
  return new PermanentError('csv_too_many_columns', `The CSV has ${count} columns on line ${line}; at most ${limit} are accepted`, {
    details: { columns, exact, line, limit },
  });
}

export function fieldTooLargeError(line: number, limit: number): PermanentError {
  return new PermanentError('csv_field_too_large', `A field starting on line ${line} is larger than ${limit} bytes`, {
    details: { line, limit },
  });
}

export function recordTooLargeError(line: number | null, limit: number): PermanentError {
  const where = line === null ? '' : ` starting on line ${line}`;
  return new PermanentError('csv_record_too_large', `A record${where} is larger than ${limit} bytes`, {
    details: { line, limit },
  });
}
