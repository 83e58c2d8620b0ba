import type { ReportRecord } from '../../reports/record.js';
import type { StepDeps } from '../step-deps.js';
import { keepScratchCopy } from '../scratch-copy.js';
import { workPaths } from '../work-files.js';

/** Where a report's files live in the archive: by the month it was requested, then its id. */
export function archiveKey(record: ReportRecord, file: 'report.csv' | 'summary.json'): string {
  const created = new Date(record.createdAt);
  const month = String(created.getUTCMonth() + 1).padStart(2, '0');
  return `reports/${created.getUTCFullYear()}/${month}/${record.id}/${file}`;
}

/**
 * Archives the original CSV once; a re-run finds the marker and skips. A report not to be
 * archived gets a scratch copy instead, in a shared archive (src/jobs/scratch-copy.ts).
 */
export async function archiveStep(deps: StepDeps, record: ReportRecord, signal?: AbortSignal): Promise<void> {
  if (!record.delivery.archive) {
    await keepScratchCopy(deps, record, workPaths(deps.workDir, record.id).csv, signal);
    return;
  }
  if (record.archive) return;
  const stored = await deps.archive.putFile(archiveKey(record, 'report.csv'), workPaths(deps.workDir, record.id).csv, signal);
  await deps.store.markArchived(
    record.id,
    { csv: stored, summary: null, at: deps.now().toISOString() },
    `CSV archived at ${stored.location} (sha256 ${stored.sha256.slice(0, 12)}…)`,
  );
  // An inline CSV that is the whole body is now in the archive byte for byte: Redis need not keep it.
  if (record.callback !== null && record.interpretation?.kind === 'inline' && record.callback.sha256 === stored.sha256) {
    await deps.store.dropArchivedCallbackBody(record.id, record.callback, stored.key);
  }
}
