/**
 * Archives one file in an S3 bucket and reads it back through the archive (digest checked), then
 * prints as one JSON line the process's peak resident memory and how long each part took.
 * Started by s3-upload-memory.test.ts in a child process, so the peak is this work's alone:
 *
 *   node --import tsx test/integration/s3-upload-memory-probe.ts <endpoint> <bucket> <file>
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createS3Archive } from '../../src/delivery/s3/s3-archive.js';
import { createS3Client } from '../../src/delivery/s3/s3-client.js';

export interface UploadMemoryResult {
  bytes: number;
  sha256: string;
  readBackBytes: number;
  uploadMs: number;
  readMs: number;
  /** The process's peak resident set (getrusage's maxrss). */
  peakRssBytes: number;
}

const [endpoint, bucket, file] = process.argv.slice(2);
if (endpoint === undefined || bucket === undefined || file === undefined) throw new Error('give the endpoint, the bucket and the file');
const client = createS3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', timeoutMs: 60_000 });
const archive = createS3Archive({ client, bucket, prefix: 'memory', timeoutMs: 60_000 });

let started = performance.now();
const stored = await archive.putFile('reports/big/report.csv', file);
const uploadMs = performance.now() - started;
started = performance.now();
let readBackBytes = 0;
await pipeline(
  await archive.openRead('reports/big/report.csv'),
  new Writable({
    write(chunk: Buffer, _encoding, callback) {
      readBackBytes += chunk.length;
      callback();
    },
  }),
);
const readMs = performance.now() - started;
client.destroy();
const result: UploadMemoryResult = {
  bytes: stored.bytes,
  sha256: stored.sha256,
  readBackBytes,
  uploadMs,
  readMs,
  peakRssBytes: process.resourceUsage().maxRSS * 1024,
};
console.log(JSON.stringify(result));
