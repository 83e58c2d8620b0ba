import { resolve } from 'node:path';

/** Where ARCHIVE_URL says the archive is. */
export type ArchiveLocation = { kind: 'file'; dir: string } | { kind: 's3'; bucket: string; prefix: string };

/**
 * ARCHIVE_URL, already checked by its setting's kind (src/config/kinds.ts): unset or "file:" is
 * the folder DATA_DIR/archive, "file:/path" another folder, "s3://bucket/prefix" a bucket with
 * every key under "prefix/" (no prefix: the bucket's root).
 */
export function parseArchiveUrl(url: string | null, dataDir: string): ArchiveLocation {
  if (url === null || url === 'file:') return { kind: 'file', dir: resolve(dataDir, 'archive') };
  if (url.startsWith('file:')) return { kind: 'file', dir: resolve(url.slice('file:'.length)) };
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/gu, '');
  return { kind: 's3', bucket, prefix };
}
