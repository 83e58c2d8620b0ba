import { uniqueColumnNames } from './header.js';
import type { CsvLimitGuard } from './limit-guard.js';
import type { ParsedRow } from './report-parser.js';

/** Where the records of a report go once told apart. `line` is the 1-based line on which the record starts. */
export interface ReportRowVisitor {
  /** Once, first, when the file has a header: unique column names in file order (see uniqueColumnNames). */
  columns(columns: readonly string[]): void;
  /** A data row with exactly as many fields as the header, in header order. */
  row(fields: readonly string[], line: number): void;
  /** A ragged record, or one the parser could not read (an unclosed final quote). */
  bad(line: number, reason: string): void;
}

export interface ClassifyOptions {
  /**
   * Sees every record as parsed, header and ragged rows included, before it is classified; not
   * blank lines (nor a line holding only `""`, which parses the same), nor the record of an
   * unclosed final quote. For a second output from the same parse (the email attachment).
   */
  onRow?: ((fields: readonly string[]) => void) | undefined;
}

function countLineBreaks(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    if (!field.includes('\n') && !field.includes('\r')) continue;
    count += field.match(/\r\n|\r|\n/gu)?.length ?? 0;
  }
  return count;
}

function isBlank(fields: readonly string[]): boolean {
  for (const field of fields) if (field !== '') return false;
  return true;
}

/**
 * Tells the parser's records apart, in file order: the header (the first record that is not
 * blank), rows, ragged rows and unreadable records, each with the line it starts on. Blank lines
 * and records whose fields are all empty are skipped. Returns the function to call per record.
 */
export function createRowClassifier(guard: CsvLimitGuard, visitor: ReportRowVisitor, options: ClassifyOptions = {}): (record: ParsedRow) => void {
  const { onRow } = options;
  let nextLine = 1; // where the next record starts: after the previous one and its line breaks
  let columnCount = -1; // until the header has come

  return (record) => {
    const line = nextLine;
    if (!Array.isArray(record)) {
      visitor.bad(line, record.reason);
      return;
    }
    // Only a quoted field can hold a line break, and the guard has scanned a record's bytes
    // before the parser emits it: most reports have none, and skip searching every field.
    nextLine += (guard.quotedLineBreakSeen ? countLineBreaks(record) : 0) + 1;
    if (onRow !== undefined && (record.length > 1 || record[0] !== '')) onRow(record);
    if (isBlank(record)) return;
    if (columnCount < 0) {
      const columns = uniqueColumnNames(record);
      columnCount = columns.length;
      visitor.columns(columns);
    } else if (record.length !== columnCount) {
      visitor.bad(line, `expected ${columnCount} fields, found ${record.length}`);
    } else {
      visitor.row(record, line);
    }
  };
}
