import type { Readable } from 'node:stream';
import type { ReportSummary } from '../summary/types.js';
import type { CsvLimits } from './limits.js';
import { createNeutralizedFile } from './neutralized-file.js';
import { summarizeReportCsv, type SummarizeOptions } from './summarize-stream.js';

/** Where the attachment goes: the neutralized CSV, and a gzip-compressed copy of it when wanted. */
export interface AttachmentPaths {
  plain: string;
  gzip?: string;
}

/**
 * Summarizes a report and writes its formula-neutralized copy (the email attachment) to
 * `attachment.plain`, and compressed to `attachment.gzip` when given, from the same parse: one
 * pass over the CSV instead of two or three. The copy is the one neutralizeCsv writes; on any
 * failure no file is left at either path.
 */
export async function summarizeWithAttachment(
  input: Readable,
  limits: CsvLimits,
  attachment: AttachmentPaths,
  options: SummarizeOptions = {},
): Promise<ReportSummary> {
  const copy = createNeutralizedFile(attachment.plain, attachment.gzip);
  try {
    const summary = await summarizeReportCsv(input, limits, options, copy);
    await copy.finish();
    return summary;
  } catch (error) {
    await copy.discard();
    throw error;
  }
}
