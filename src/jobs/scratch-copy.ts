import type { ReportRecord } from '../reports/record.js';
import { AppError, NotFoundError } from '../errors.js';
import { writeFileAtomically } from '../files/atomic-file.js';
import type { StepDeps } from './step-deps.js';

/**
 * A report that is not to be archived (delivery.archive false) still needs its CSV after the
 * download: a retry on another host, or an operator's re-run, would otherwise download Losant's
 * signed link again, which may have expired by then (a permanent failure). So when the archive is
 * shared by every host (a bucket), the downloaded CSV is kept there under a scratch key until the
 * report is delivered, and then removed. A report that fails for good keeps its scratch copy, so a
 * re-run starts from it; ARCHIVE_RETENTION_DAYS removes what is left. A local folder archive
 * gets no scratch copy: a retry on the same host finds the work file itself.
 */
export function scratchKey(reportId: string): string {
  return `scratch/${reportId}/report.csv`;
}

function needsScratch(deps: StepDeps, record: ReportRecord): boolean {
  return deps.archive.shared && !record.delivery.archive;
}

/** Keeps the downloaded CSV (once: a copy with the download's digest is left as it is). */
export async function keepScratchCopy(deps: StepDeps, record: ReportRecord, csvPath: string, signal?: AbortSignal): Promise<void> {
  if (!needsScratch(deps, record) || record.download === null) return;
  const existing = await deps.archive.stat(scratchKey(record.id));
  if (existing?.sha256 === record.download.sha256) return;
  const stored = await deps.archive.putFile(scratchKey(record.id), csvPath, signal);
  deps.logger.info({ key: stored.key, bytes: stored.bytes }, 'downloaded CSV kept in the archive until the report is delivered');
}

/**
 * Writes the scratch copy to `csvPath` when there is one of this download; false when there is
 * none (then the CSV is downloaded again). The copy's digest is checked on the way (the archive's
 * read) and must be the download's: a copy from another callback of the report is not used.
 */
export async function restoreScratchCopy(deps: StepDeps, record: ReportRecord, csvPath: string): Promise<boolean> {
  if (!needsScratch(deps, record) || record.download === null) return false;
  let stream;
  try {
    stream = await deps.archive.openRead(scratchKey(record.id));
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
  let written;
  try {
    written = await writeFileAtomically(csvPath, stream);
  } catch (error) {
    // Unlike the archived original, a scratch copy is a cache of what can be downloaded again.
    if (!(error instanceof AppError && error.code === 'archive_corrupt')) throw error;
    deps.logger.warn({ err: error }, 'the scratch copy is corrupt; downloading again');
    return false;
  }
  if (written.sha256 === record.download.sha256) return true;
  deps.logger.warn({ key: scratchKey(record.id) }, 'the scratch copy is not of this download; downloading again');
  return false;
}

/** After delivery: the scratch copy goes. A failure is only logged (the retention sweep removes it later). */
export async function dropScratchCopy(deps: StepDeps, record: ReportRecord): Promise<void> {
  if (!needsScratch(deps, record)) return;
  try {
    await deps.archive.remove(scratchKey(record.id));
  } catch (error) {
    deps.logger.warn({ err: error, key: scratchKey(record.id) }, 'scratch copy of a delivered report not removed; the archive retention removes it');
  }
}
