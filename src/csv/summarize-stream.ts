import type { Readable } from 'node:stream';
import { createSummaryAccumulator, type SummaryOptions } from '../summary/accumulator.js';
import type { ReportSummary } from '../summary/types.js';
import type { CsvLimits } from './limits.js';
import { parseReportCsv } from './parse-report.js';

/**
 * Parses a usage-report CSV stream and summarizes it in one pass with constant memory (beyond
 * one entry per distinct resource). Rejects with a PermanentError when the CSV breaks a limit, and
 * with the input's own error when the stream fails.
 */
export async function summarizeReportCsv(input: Readable, limits: CsvLimits, options: SummaryOptions = {}): Promise<ReportSummary> {
  const accumulator = createSummaryAccumulator(options);
  for await (const event of parseReportCsv(input, limits)) {
    if (event.kind === 'columns') accumulator.setColumns(event.columns);
    else if (event.kind === 'row') accumulator.addRow(event.row);
    else accumulator.addBadRow({ line: event.line, reason: event.reason });
  }
  return accumulator.finish();
}
