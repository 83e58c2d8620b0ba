import type { SharedConfig } from '../config.js';
import type { ArchiveTarget } from './archive.js';
import { parseArchiveUrl } from './archive-url.js';
import { createFileArchive } from './file-archive.js';

/**
 * The archive ARCHIVE_URL names: the folder DATA_DIR/archive by default, or an S3-compatible
 * bucket. The AWS SDK is loaded only for a bucket: a process with a folder archive does not pay
 * for it (its start-up time and memory).
 */
export async function createArchive(config: Pick<SharedConfig, 'archive' | 'dataDir'>): Promise<ArchiveTarget> {
  const location = parseArchiveUrl(config.archive.url, config.dataDir);
  if (location.kind === 'file') return createFileArchive(location.dir);
  const [{ createS3Archive }, { createS3Client }] = await Promise.all([import('./s3/s3-archive.js'), import('./s3/s3-client.js')]);
  const client = createS3Client(config.archive.s3);
  const archive = createS3Archive({ client, bucket: location.bucket, prefix: location.prefix, timeoutMs: config.archive.s3.timeoutMs });
  // The client is made here, so it is let go here: its keep-alive sockets would outlive the service.
  return { ...archive, close: () => client.destroy() };
}
