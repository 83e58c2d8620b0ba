/**
 * Archives one file in an S3 bucket and reads it back whole (its sha256 checked on the way), then
 * prints as one JSON line how long each took and the process's peak RSS. Started by
 * s3-archive-memory.test.ts in a child process, so that the peak is this upload's alone:
 *
 *   node --import tsx <worker flags> test/integration/s3-archive-memory-probe.ts <file> <key>
 *
 * The bucket comes from ARCHIVE_URL, ARCHIVE_S3_ENDPOINT and the key pair in the environment.
 */
import { finished } from 'node:stream/promises';
import { parseArchiveUrl } from '../../src/delivery/archive-url.js';
import { createS3Archive } from '../../src/delivery/s3/s3-archive.js';
import { createS3Client } from '../../src/delivery/s3/s3-client.js';

export interface S3MemoryResult {
  bytes: number;
  sha256: string;
  putMs: number;
  readMs: number;
  /** process.resourceUsage().maxRSS, in kilobytes. */
  maxRssKb: number;
}

const [source, key] = process.argv.slice(2);
if (source === undefined || key === undefined) throw new Error('give the file and the key');

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const location = parseArchiveUrl(env('ARCHIVE_URL'), '.');
if (location.kind !== 's3') throw new Error('ARCHIVE_URL must be s3://');
const timeoutMs = 30_000;
const client = createS3Client({
  endpoint: env('ARCHIVE_S3_ENDPOINT'),
  region: 'us-east-1',
  forcePathStyle: true,
  accessKeyId: env('ARCHIVE_S3_ACCESS_KEY_ID'),
  secretAccessKey: env('ARCHIVE_S3_SECRET_ACCESS_KEY'),
  timeoutMs,
});
const archive = createS3Archive({ client, bucket: location.bucket, prefix: location.prefix, timeoutMs });
const started = performance.now();
const stored = await archive.putFile(key, source);
const putMs = performance.now() - started;
const reading = await archive.openRead(key);
reading.resume();
await finished(reading);
const readMs = performance.now() - started - putMs;

const result: S3MemoryResult = { bytes: stored.bytes, sha256: stored.sha256, putMs, readMs, maxRssKb: process.resourceUsage().maxRSS };
console.log(JSON.stringify(result));
client.destroy();
