import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { CsvLimits } from '../../src/csv/limits.js';
import { readReportCsv, type ReadReportOptions } from '../../src/csv/read-report.js';

/** What readReportCsv told its visitor, one entry per call, in order (copies, so later reuse cannot change them). */
export type ReportEvent =
  { kind: 'columns'; columns: string[] } | { kind: 'row'; line: number; fields: string[] } | { kind: 'bad'; line: number; reason: string };

/** Reads the whole CSV with readReportCsv and returns every visitor call; rejects as the read does. */
export async function readReportEvents(input: Readable, limits: CsvLimits, options: ReadReportOptions = {}): Promise<ReportEvent[]> {
  const events: ReportEvent[] = [];
  let columnCount = -1;
  await readReportCsv(
    input,
    limits,
    {
      columns(columns) {
        assert.equal(columnCount, -1, 'columns come once');
        columnCount = columns.length;
        events.push({ kind: 'columns', columns: [...columns] });
      },
      row(fields, line) {
        assert.equal(fields.length, columnCount, `row on line ${line} has as many fields as the header`);
        events.push({ kind: 'row', line, fields: [...fields] });
      },
      bad(line, reason) {
        events.push({ kind: 'bad', line, reason });
      },
    },
    options,
  );
  return events;
}

/**
 * The rows keyed by column name, built from the columns and field arrays. Object.fromEntries
 * defines own properties, so a column named `__proto__` is an ordinary key here too.
 */
export function namedRows(events: readonly ReportEvent[]): Array<{ line: number; row: Record<string, string> }> {
  let columns: readonly string[] = [];
  return events.flatMap((event) => {
    if (event.kind === 'columns') columns = event.columns;
    if (event.kind !== 'row') return [];
    return [{ line: event.line, row: Object.fromEntries(columns.map((name, index) => [name, event.fields[index]!])) }];
  });
}

export function badRows(events: readonly ReportEvent[]): Array<{ line: number; reason: string }> {
  return events.flatMap((event) => (event.kind === 'bad' ? [{ line: event.line, reason: event.reason }] : []));
}

/** `bytes` as a stream of chunks of `size` bytes (the last one shorter), as a download may cut them. */
export function chunkedStream(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.subarray(start, start + size));
  return Readable.from(chunks);
}
