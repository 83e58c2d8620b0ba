import type { Readable } from 'node:stream';
import { createRowClassifier, type ClassifyOptions, type ReportRowVisitor } from './classify-rows.js';
import type { CsvLimits } from './limits.js';
import { startReportParse, type ParsedRow } from './report-parser.js';
import { toError } from '../errors.js';

export interface ReadReportOptions extends ClassifyOptions {
  /**
   * Asked after every record: a promise means "not now" (a slow attachment file), and no record
   * is read until it settles, so the whole parse slows down instead of memory filling up. A
   * rejection ends the read with that error.
   */
  ready?: (() => Promise<void> | null) | undefined;
}

/**
 * Reads a usage-report CSV into `visitor`, one record at a time, in file order: the header's
 * columns, then rows and bad rows (ragged records, an unclosed final quote) with the line each
 * starts on; blank lines and records whose fields are all empty are skipped, so an empty file
 * gives no calls and a header-only file only `columns`. Records are taken from the parser in
 * synchronous runs, without an event object, a row object or a promise per row. Memory stays
 * constant however many rows the file holds, and the input is read only as fast as the records
 * are taken. Resolves at the end of the file; rejects with a PermanentError when the CSV breaks a
 * limit (csv_too_many_columns, csv_field_too_large, csv_record_too_large), with the input's own
 * error when the stream fails, and with whatever the visitor throws; the input is then released.
 */
export function readReportCsv(input: Readable, limits: CsvLimits, visitor: ReportRowVisitor, options: ReadReportOptions = {}): Promise<void> {
  const { parser, guard } = startReportParse(input, limits);
  const classify = createRowClassifier(guard, visitor, options);
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
        // as: csv-parse types read() as any; with these options each record is an array of strings.
        for (let record = parser.read() as ParsedRow | null; record !== null; record = parser.read() as ParsedRow | null) {
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
        fail(toError(error));
      }
    };
    parser.on('readable', take);
    parser.once('end', () => resolve());
    parser.once('error', reject);
  });
}
