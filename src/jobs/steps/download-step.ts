import { rm } from 'node:fs/promises';
import { decodeCallbackBody } from '../../reports/callback-encoding.js';
import { interpretCallback } from '../../reports/interpret-callback.js';
import type { Interpretation, ReportRecord } from '../../reports/record.js';
import { mergeCsvParts } from '../merge-parts.js';
import { restoreScratchCopy } from '../scratch-copy.js';
import type { StepDeps } from '../step-deps.js';
import { hashFile, writeFileAtomically } from '../../files/atomic-file.js';
import { ensureDir, fileSize, workPaths } from '../work-files.js';
import { DownloadError } from '../../download/errors.js';
import { meterFor } from './step-progress.js';
import { StepFailure } from './step-failure.js';

export type FetchOutcome = { done: true } | { done: false; status: 'unrecognized' | 'failed' };

/**
 * Makes sure the report's CSV is in the work directory: from the archive if an earlier run
 * archived it (or kept a scratch copy of it), else from the callback (inline CSV, or download URLs). A callback that says
 * the report failed, or that nobody understands, ends the run here.
 */
export async function downloadStep(deps: StepDeps, record: ReportRecord, signal: AbortSignal): Promise<FetchOutcome> {
  const paths = workPaths(deps.workDir, record.id);
  await ensureDir(paths.dir);

  if (record.download && (await fileSize(paths.csv)) !== null) {
    const { sha256 } = await hashFile(paths.csv);
    if (sha256 === record.download.sha256) return { done: true };
  }
  // From here on the CSV is written anew: an attachment made from an earlier copy must go.
  await Promise.all([rm(paths.attachment, { force: true }), rm(paths.attachmentGz, { force: true })]);
  // Another host may have done the download: the archive has the CSV (read back with its digest checked).
  if (record.archive) {
    await writeFileAtomically(paths.csv, await deps.archive.openRead(record.archive.csv.key));
    return { done: true };
  }
  if (await restoreScratchCopy(deps, record, paths.csv)) return { done: true };

  const body = await deps.store.getCallbackBody(record.id);
  if (body === null) {
    throw new StepFailure('callback', 'callback_body_missing', 'The callback body is no longer stored (expired); request a new report', true);
  }
  const content = interpretCallback(
    await decodeCallbackBody(body, record.callback?.contentEncoding, deps.callbackMaxBytes),
    record.callback?.contentType ?? null,
  );
  const interpretation: Interpretation = { kind: content.kind };
  if (content.kind === 'download') {
    interpretation.urlCount = content.urls.length;
    interpretation.hosts = [...new Set(content.urls.map((url) => new URL(url).host))];
  }
  if (content.kind === 'failure') interpretation.error = content.error;
  if (content.kind === 'unrecognized') interpretation.reason = content.reason;

  if (content.kind === 'unrecognized' || content.kind === 'failure') {
    const to = content.kind === 'unrecognized' ? 'unrecognized' : 'failed';
    const error =
      content.kind === 'unrecognized'
        ? { step: 'callback' as const, code: 'callback_unrecognized', message: `The callback could not be interpreted: ${content.reason}`, permanent: true }
        : {
            step: 'callback' as const,
            code: 'losant_report_failed',
            message: `Losant reported that the report failed: ${content.error.name}: ${content.error.message}`,
            permanent: true,
          };
    const found = { interpretation, error: { ...error, at: deps.now().toISOString() } };
    if (to === 'unrecognized') await deps.store.markUnrecognized(record.id, found, error.message);
    else await deps.store.markFailed(record.id, found, error.message);
    return { done: false, status: to };
  }

  // The downloader hashes what it writes; reading a single downloaded file again only to hash it
  // would add a full pass over a report of hundreds of MB (bench/cases/pipeline.ts).
  let written: { sha256: string; bytes: number } | null = null;
  if (content.kind === 'inline') {
    await writeFileAtomically(paths.csv, content.csv);
  } else {
    const parts: string[] = [];
    // The parts' bytes add up to the report's: one meter for them all.
    const meter = meterFor(deps, record.id, 'download', null);
    // DOWNLOAD_MAX_BYTES caps the report: each part may use what the parts before it left.
    let left = deps.maxDownloadBytes;
    for (const [index, url] of content.urls.entries()) {
      const part = content.urls.length === 1 ? paths.csv : paths.part(index);
      if (left <= 0) {
        throw new DownloadError(
          'download_too_large',
          `the report's parts together are larger than the limit of ${deps.maxDownloadBytes} bytes (DOWNLOAD_MAX_BYTES)`,
        );
      }
      const downloaded = await deps.download(url, part, { signal, maxBytes: left, logger: deps.logger, onBytes: (bytes) => meter?.add(bytes) });
      left -= downloaded.bytes;
      if (content.urls.length === 1) written = { sha256: downloaded.sha256, bytes: downloaded.bytes };
      parts.push(part);
    }
    await meter?.flush();
    if (parts.length > 1) await mergeCsvParts(parts, paths.csv);
  }
  const { sha256, bytes } = written ?? (await hashFile(paths.csv));
  await deps.store.markDownloaded(
    record.id,
    { interpretation, download: { bytes, sha256, sources: content.kind === 'inline' ? 0 : content.urls.length, at: deps.now().toISOString() } },
    content.kind === 'inline' ? `CSV received inline (${bytes} bytes)` : `CSV downloaded from ${interpretation.hosts?.join(', ') ?? ''} (${bytes} bytes)`,
  );
  return { done: true };
}
