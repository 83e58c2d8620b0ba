import type { SharedConfig } from '../config.js';
import type { ArchiveTarget } from './archive.js';
import { parseArchiveUrl } from './archive-url.js';
import { createFileArchive } from './file-archive.js';
import { createS3Archive } from './s3/s3-archive.js';
import { createS3Client } from './s3/s3-client.js';

/** The archive ARCHIVE_URL names: the folder DATA_DIR/archive by default, or an S3-compatible bucket. */
export function createArchive(config: Pick<SharedConfig, 'archive' | 'dataDir'>): ArchiveTarget {
  const location = parseArchiveUrl(config.archive.url, config.dataDir);
  if (location.kind === 'file') return createFileArchive(location.dir);
  return createS3Archive({
    client: createS3Client(config.archive.s3),
    bucket: location.bucket,
    prefix: location.prefix,
    timeoutMs: config.archive.s3.timeoutMs,
  });
}
