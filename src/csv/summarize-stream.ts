import type { Readable } from 'node:stream';
import { createSummaryAccumulator, type SummaryOptions } from '../summary/accumulator.js';
import type { ReportSummary } from '../summary/types.js';
import type { CsvLimits } from './limits.js';
import { parseReportCsv } from './parse-report.js';

/** A second output of the same parse: it gets every record (see ParseReportOptions.onRecord). */
export interface RecordCopy {
  add(fields: readonly string[]): void;
  /** A promise while the copy cannot take more yet (a slow disk then slows the parse instead of filling memory). */
  ready(): Promise<void> | null;
}

/**
 * Parses a usage-report CSV stream and summarizes it in one pass with constant memory (beyond
 * one entry per distinct resource). Rejects with a PermanentError when the CSV breaks a limit, and
 * with the input's own error when the stream fails. With `copy`, the same pass feeds it too.
 */
export async function summarizeReportCsv(input: Readable, limits: CsvLimits, options: SummaryOptions = {}, copy?: RecordCopy): Promise<ReportSummary> {
  const accumulator = createSummaryAccumulator(options);
  const parseOptions = copy === undefined ? {} : { onRecord: (fields: readonly string[]) => copy.add(fields) };
  for await (const event of parseReportCsv(input, limits, parseOptions)) {
    if (event.kind === 'columns') accumulator.setColumns(event.columns);
    else if (event.kind === 'row') accumulator.addRow(event.row);
    else accumulator.addBadRow({ line: event.line, reason: event.reason });
    const waiting = copy?.ready();
    if (waiting) await waiting;
  }
  return accumulator.finish();
}
