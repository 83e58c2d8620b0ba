import type { Readable } from 'node:stream';
import { createRecordClassifier, type ClassifyOptions } from './classify-records.js';
import type { CsvLimits } from './limits.js';
import { startReportParse, type ParsedRecord } from './report-parser.js';

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

function toRow(columns: readonly string[], fields: readonly string[]): CsvRow {
  const row = Object.create(null) as Record<string, string>;
  for (let index = 0; index < columns.length; index++) row[columns[index]!] = fields[index] ?? '';
  return row;
}

export type ParseReportOptions = ClassifyOptions;

/**
 * Streams a usage-report CSV as events, one record at a time, pulling from `input` only as fast as
 * the consumer iterates (backpressure through the pipeline). Nothing accumulates: memory stays
 * constant however many rows the file holds. Ragged records and an unclosed final quote become
 * `bad` events and parsing goes on; limit violations reject the iteration with a PermanentError
 * (csv_too_many_columns, csv_field_too_large, csv_record_too_large). Errors of `input` itself
 * (a broken download) come through unchanged. Blank lines, and records whose fields are all
 * empty, are skipped. An empty file yields no events; a header-only file yields only `columns`.
 *
 * The records, lines and bad rows are those readReportCsv gives (the same classifier); this
 * form suits a consumer that wants rows by name and can stop early. The summary uses
 * readReportCsv, which costs no event object, row object or promise per row.
 */
export async function* parseReportCsv(input: Readable, limits: CsvLimits, options: ParseReportOptions = {}): AsyncGenerator<ParsedEvent, void, undefined> {
  const { parser, guard } = startReportParse(input, limits);
  let columns: readonly string[] = [];
  const pending: ParsedEvent[] = [];
  const classify = createRecordClassifier(
    guard,
    {
      columns(names) {
        columns = names;
        pending.push({ kind: 'columns', columns: names });
      },
      row(fields, line) {
        pending.push({ kind: 'row', line, row: toRow(columns, fields) });
      },
      bad(line, reason) {
        pending.push({ kind: 'bad', line, reason });
      },
    },
    options,
  );
  try {
    for await (const record of parser as AsyncIterable<ParsedRecord>) {
      classify(record);
      // At most one event per record.
      const event = pending.pop();
      if (event !== undefined) yield event;
    }
  } finally {
    // Reached early when the consumer stops iterating: release the input too.
    if (!parser.destroyed) parser.destroy();
  }
}
