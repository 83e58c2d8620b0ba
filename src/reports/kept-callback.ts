import type { Readable } from 'node:stream';
import type { ArchiveTarget } from '../delivery/archive.js';
import type { CallbackInfo } from './record.js';
import type { ReportStore } from './store.js';

export interface KeptCallback {
  info: CallbackInfo;
  /** Its bytes as they arrived (compressed when they came so): from Redis, or from the archive once it took them over. */
  body: Buffer | Readable;
}

/**
 * A report's callback as received, wherever it is kept now: Redis holds the body until an inline
 * CSV's bytes are archived, then the archive does (the record names the key). Null when the
 * report, its callback or the body is gone. The admin API and the dashboard both serve it.
 */
export async function openKeptCallback(
  deps: { store: Pick<ReportStore, 'get' | 'getCallbackBody'>; archive: Pick<ArchiveTarget, 'openRead'> },
  id: string,
): Promise<KeptCallback | null> {
  const [record, kept] = await Promise.all([deps.store.get(id), deps.store.getCallbackBody(id)]);
  if (!record?.callback) return null;
  const archived = record.callback.bodyArchiveKey;
  const body = kept ?? (archived === undefined ? null : await deps.archive.openRead(archived));
  return body === null ? null : { info: record.callback, body };
}

/**
 * A kept callback body is served as an inert download (never rendered as a page), as its bytes
 * were kept: compressed when it arrived so. What it was sent as is said in headers of its own.
 */
export function callbackDownloadHeaders(filename: string, info: Pick<CallbackInfo, 'contentType' | 'contentEncoding'>): Record<string, string> {
  return {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${filename}"`,
    'X-Original-Content-Type': (info.contentType ?? 'none').replace(/[^\x20-\x7e]/gu, ''),
    'X-Original-Content-Encoding': (info.contentEncoding ?? 'identity').replace(/[^\x20-\x7e]/gu, ''),
  };
}
