import { pipeline, type Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { uniqueColumnNames } from './header.js';
import { createCsvLimitGuard } from './limit-guard.js';
import type { CsvLimits } from './limits.js';
import { baseParseOptions, describeSkippedRecord, throwIfRecordTooLarge } from './parse-options.js';

/**
 * One data row keyed by column name. Null-prototype: a header named `__proto__` or `constructor`
 * is an ordinary own key here and can never reach Object.prototype.
 */
export type CsvRow = Readonly<Record<string, string>>;

export type ParsedEvent =
  /** Once, first, when the file has a header: unique column names in file order (see uniqueColumnNames). */
  | { kind: 'columns'; columns: readonly string[] }
  /** `line` is the 1-based line on which the record starts. */
  | { kind: 'row'; line: number; row: CsvRow }
  | { kind: 'bad'; line: number; reason: string };

function countLineBreaks(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    if (!field.includes('\n') && !field.includes('\r')) continue;
    count += field.match(/\r\n|\r|\n/gu)?.length ?? 0;
  }
  return count;
}

function toRow(columns: readonly string[], fields: readonly string[]): CsvRow {
  const row = Object.create(null) as Record<string, string>;
  for (let index = 0; index < columns.length; index++) row[columns[index]!] = fields[index] ?? '';
  return row;
}

/** Pushed into the parser's output by on_skip, so it keeps its place among the records. */
interface SkippedRecord {
  skipped: true;
  reason: string;
}

/**
 * Streams a usage-report CSV as events, one record at a time, pulling from `input` only as fast as
 * the consumer iterates (backpressure through the pipeline). Nothing accumulates: memory stays
 * constant however many rows the file holds. Ragged records and an unclosed final quote become
 * `bad` events and parsing goes on; limit violations reject the iteration with a PermanentError
 * (csv_too_many_columns, csv_field_too_large, csv_record_too_large). Errors of `input` itself
 * (a broken download) come through unchanged. Blank lines, and records whose fields are all
 * empty, are skipped. An empty file yields no events; a header-only file yields only `columns`.
 */
export interface ParseReportOptions {
  /**
   * Sees every record as parsed, header and ragged rows included, before it becomes an event;
   * not blank lines (nor a line holding only `""`, which parses the same), nor the record of an
   * unclosed final quote. For a second output from the same parse (the email attachment).
   */
  onRecord?: (fields: readonly string[]) => void;
}

export async function* parseReportCsv(input: Readable, limits: CsvLimits, options: ParseReportOptions = {}): AsyncGenerator<ParsedEvent, void, undefined> {
  const { onRecord } = options;
  const parser = parse({
    ...baseParseOptions(limits),
    // Blank lines come through as records of one empty field so that line numbers can be counted
    // here: csv-parse's own count drifts on \r\n inside quoted fields, and its per-record info
    // snapshot would nearly double the parsing cost.
    skip_empty_lines: false,
    on_skip: (error: CsvError | undefined): undefined => {
      throwIfRecordTooLarge(error, limits);
      const skipped: SkippedRecord = { skipped: true, reason: describeSkippedRecord(error) };
      parser.push(skipped);
      return undefined;
    },
  });

  // Any failure, from the input, the guard or the parser, destroys the parser with that error,
  // which rejects the iteration below; the callback has nothing left to do.
  const guard = createCsvLimitGuard(limits);
  pipeline(input, guard, parser, () => undefined);

  let nextLine = 1; // where the next record starts: after the previous one and its line breaks
  let columns: string[] | null = null;
  try {
    for await (const record of parser as AsyncIterable<string[] | SkippedRecord>) {
      const line = nextLine;
      if (!Array.isArray(record)) {
        yield { kind: 'bad', line, reason: record.reason };
        continue;
      }
      // Only a quoted field can hold a line break, and the guard has scanned a record's bytes
      // before the parser emits it: most reports have none, and skip searching every field.
      nextLine += (guard.quotedLineBreakSeen ? countLineBreaks(record) : 0) + 1;
      if (onRecord !== undefined && (record.length > 1 || record[0] !== '')) onRecord(record);
      if (record.every((field) => field === '')) continue;
      if (columns === null) {
        columns = uniqueColumnNames(record);
        yield { kind: 'columns', columns };
      } else if (record.length !== columns.length) {
        yield { kind: 'bad', line, reason: `expected ${columns.length} fields, found ${record.length}` };
      } else {
        yield { kind: 'row', line, row: toRow(columns, record) };
      }
    }
  } finally {
    // Reached early when the consumer stops iterating: release the input too.
    if (!parser.destroyed) parser.destroy();
  }
}
