import { pipeline, type Readable } from 'node:stream';
import { parse, type CsvError, type Parser } from 'csv-parse';
import { createCsvLimitGuard, type CsvLimitGuard } from './limit-guard.js';
import type { CsvLimits } from './limits.js';
import { baseParseOptions, describeSkippedRow, throwIfRecordTooLarge } from './parse-options.js';

/** Pushed into the parser's output by on_skip, so it keeps its place among the records. */
export interface SkippedRow {
  skipped: true;
  reason: string;
}

/** What the parser emits: a record's fields, or a record it could not read. */
export type ParsedRow = string[] | SkippedRow;

export interface ReportParse {
  /** Object mode: emits ParsedRow values in file order, blank lines included (see below). */
  parser: Parser;
  guard: CsvLimitGuard;
}

/**
 * Starts parsing a usage-report CSV: input → limit guard → csv-parse. Any failure, from the
 * input, the guard or the parser, destroys the parser with that error; destroying the parser
 * releases the input.
 */
export function startReportParse(input: Readable, limits: CsvLimits): ReportParse {
  const parser = parse({
    ...baseParseOptions(limits),
    // Blank lines come through as records of one empty field so that line numbers can be counted
    // by the reader: csv-parse's own count drifts on \r\n inside quoted fields, and its per-record
    // info snapshot would nearly double the parsing cost.
    skip_empty_lines: false,
    on_skip: (error: CsvError | undefined): undefined => {
      throwIfRecordTooLarge(error, limits);
      const skipped: SkippedRow = { skipped: true, reason: describeSkippedRow(error) };
      parser.push(skipped);
      return undefined;
    },
  });
  const guard = createCsvLimitGuard(limits);
  pipeline(input, guard, parser, () => undefined);
  return { parser, guard };
}
