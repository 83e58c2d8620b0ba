import type { Readable } from 'node:stream';
import { createRecordClassifier, type ClassifyOptions, type ReportRecordVisitor } from './classify-records.js';
import type { CsvLimits } from './limits.js';
import { startReportParse, type ParsedRecord } from './report-parser.js';

export interface ReadReportOptions extends ClassifyOptions {
  /**
   * Asked after every record: a promise means "not now" (a slow attachment file), and no record
   * is read until it settles, so the whole parse slows down instead of memory filling up. A
   * rejection ends the read with that error.
   */
  ready?: (() => Promise<void> | null) | undefined;
}

/**
 * Reads a usage-report CSV into `visitor`, one record at a time, in file order: the same records,
 * lines and bad rows as parseReportCsv, without an event object or a promise per row (the
 * records are taken from the parser in synchronous runs). Memory stays constant however many
 * rows the file holds, and the input is read only as fast as the records are taken.
 * Resolves at the end of the file; rejects with a PermanentError when the CSV breaks a limit,
 * with the input's own error when the stream fails, and with whatever the visitor throws.
 */
export function readReportCsv(input: Readable, limits: CsvLimits, visitor: ReportRecordVisitor, options: ReadReportOptions = {}): Promise<void> {
  const { parser, guard } = startReportParse(input, limits);
  const classify = createRecordClassifier(guard, visitor, options);
  const { ready } = options;

  return new Promise<void>((resolve, reject) => {
    let waiting = false;
    const fail = (error: Error): void => {
      // Stops the parse and releases the input; the 'error' listener below is then a no-op.
      if (!parser.destroyed) parser.destroy();
      reject(error);
    };
    const take = (): void => {
      if (waiting) return;
      try {
        for (let record = parser.read() as ParsedRecord | null; record !== null; record = parser.read() as ParsedRecord | null) {
          classify(record);
          const wait = ready?.();
          if (wait) {
            waiting = true;
            wait.then(() => {
              waiting = false;
              take();
            }, fail);
            return;
          }
        }
      } catch (error) {
        fail(error as Error);
      }
    };
    parser.on('readable', take);
    parser.once('end', () => resolve());
    parser.once('error', reject);
  });
}
