import type { Readable } from 'node:stream';
import { createSummaryAccumulator, type SummaryOptions } from '../summary/accumulator.js';
import type { ReportSummary } from '../summary/types.js';
import type { CsvLimits } from './limits.js';
import { readReportCsv } from './read-report.js';

/** A second output of the same parse: it gets every record (see ClassifyOptions.onRow). */
export interface RowCopy {
  add(fields: readonly string[]): void;
  /** A promise while the copy cannot take more yet (a slow disk then slows the parse instead of filling memory). */
  ready(): Promise<void> | null;
}

/** The rows a parse has taken so far, read by whoever watches it (the progress meter) when it likes. */
export interface RowTally {
  /** Records past the header, rows and bad rows alike: at the end, the summary's rows plus its bad rows. */
  rows: number;
}

export interface SummarizeOptions extends SummaryOptions {
  /** Counted up as the parse goes: one integer increment per row, no call. */
  tally?: RowTally | undefined;
}

/**
 * Parses a usage-report CSV stream and summarizes it in one pass with constant memory (beyond
 * one entry per distinct resource). Rejects with a PermanentError when the CSV breaks a limit, and
 * with the input's own error when the stream fails. With `copy`, the same pass feeds it too.
 * Rows reach the summary as field arrays in header order: no object per row.
 */
export async function summarizeReportCsv(input: Readable, limits: CsvLimits, options: SummarizeOptions = {}, copy?: RowCopy): Promise<ReportSummary> {
  const { tally = { rows: 0 }, ...summaryOptions } = options;
  const accumulator = createSummaryAccumulator(summaryOptions);
  await readReportCsv(
    input,
    limits,
    {
      columns: (columns) => accumulator.setColumns(columns),
      row: (fields, line) => {
        tally.rows += 1;
        accumulator.addRow(fields, line);
      },
      bad: (line, reason) => {
        tally.rows += 1;
        accumulator.addBadRow({ line, reason });
      },
    },
    copy === undefined ? {} : { onRow: (fields) => copy.add(fields), ready: () => copy.ready() },
  );
  return accumulator.finish();
}
