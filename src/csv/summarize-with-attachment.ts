import type { Readable } from 'node:stream';
import type { ReportSummary } from '../summary/types.js';
import type { CsvLimits } from './limits.js';
import { createNeutralizedFile } from './neutralize.js';
import { summarizeReportCsv } from './summarize-stream.js';

/**
 * Summarizes a report and writes its formula-neutralized copy (the email attachment) to
 * `attachmentPath` from the same parse: one pass over the CSV instead of two. The copy is the one
 * neutralizeCsv writes; on any failure no file is left at `attachmentPath`.
 */
export async function summarizeWithAttachment(input: Readable, limits: CsvLimits, attachmentPath: string): Promise<ReportSummary> {
  const copy = createNeutralizedFile(attachmentPath);
  try {
    const summary = await summarizeReportCsv(input, limits, {}, copy);
    await copy.finish();
    return summary;
  } catch (error) {
    await copy.discard();
    throw error;
  }
}
