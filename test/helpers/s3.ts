import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/delivery/s3/s3-client.js';

/** s3rver checks signatures against this fixed pair. */
const ACCESS_KEY = 'S3RVER';

/**
 * The server's process: s3rver on 127.0.0.1, printing its port. A child process, because s3rver
 * makes its listing continuation tokens with DES, which Node's OpenSSL 3 offers only with the
 * legacy provider (a flag of the process), and because a test can then kill it like an outage.
 */
const SERVER_SCRIPT = `
const S3rver = require(process.env.S3RVER_MODULE);
const server = new S3rver({ address: '127.0.0.1', port: Number(process.env.S3RVER_PORT), directory: process.env.S3RVER_DIR,
  silent: process.env.S3RVER_LOG !== '1', configureBuckets: [{ name: process.env.S3RVER_BUCKET }] });
server.run().then((address) => console.log('port ' + address.port), (error) => { console.error(error); process.exit(1); });
`;

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** s3rver's own folder: an object's bytes are at objectPath(fullKey). */
  directory: string;
  /** The service's settings for an archive in this bucket under `prefix`. */
  env(prefix?: string): Record<string, string>;
  /** Where s3rver keeps an object's bytes (the key as stored, prefix included). */
  objectPath(fullKey: string): string;
  /** A client for the test's own look-ups and raw writes. */
  client: S3Client;
  /** Kills the server (an outage: open connections drop) and keeps its folder; start() brings it back on the same port. */
  halt(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * An S3-compatible server (s3rver) on 127.0.0.1, port 0, with its own temp folder and one bucket.
 * Real HTTP and real S3 requests (signed, multipart and all); nothing is downloaded.
 */
export async function startS3(bucket = 'reports'): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const module = createRequire(import.meta.url).resolve('s3rver');
  let port = 0;
  let child: ChildProcess | null = null;

  async function start(): Promise<void> {
    const next = spawn(process.execPath, ['--openssl-legacy-provider', '-e', SERVER_SCRIPT], {
      env: { ...process.env, S3RVER_MODULE: module, S3RVER_PORT: String(port), S3RVER_DIR: directory, S3RVER_BUCKET: bucket },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: next.stdout });
    const exited = once(next, 'exit').then(([code]) => {
      throw new Error(`s3rver exited (${String(code)}) before it listened`);
    });
    const listening = (async () => {
      for await (const line of lines) {
        const match = /^port (\d+)$/u.exec(line);
        if (match?.[1] !== undefined) return Number(match[1]);
      }
      throw new Error('s3rver closed its output before it listened');
    })();
    port = await Promise.race([listening, exited]);
    child = next;
  }
  async function halt(): Promise<void> {
    const current = child;
    child = null;
    if (current?.exitCode !== null) return;
    const exited = once(current, 'exit');
    current.kill('SIGKILL');
    await exited;
  }

  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createS3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: ACCESS_KEY,
    timeoutMs: 5_000,
  });
  return {
    endpoint,
    bucket,
    directory,
    client,
    env: (prefix = 'archive') => ({
      ARCHIVE_URL: `s3://${bucket}/${prefix}`,
      ARCHIVE_S3_ENDPOINT: endpoint,
      ARCHIVE_S3_REGION: 'us-east-1',
      ARCHIVE_S3_FORCE_PATH_STYLE: 'true',
      ARCHIVE_S3_ACCESS_KEY_ID: ACCESS_KEY,
      ARCHIVE_S3_SECRET_ACCESS_KEY: ACCESS_KEY,
    }),
    objectPath: (fullKey) => {
      const parts = fullKey.split('/');
      const name = parts.pop() ?? '';
      return join(directory, bucket, ...parts, `${name}._S3rver_object`);
    },
    halt,
    start,
    async stop() {
      client.destroy();
      await halt();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
