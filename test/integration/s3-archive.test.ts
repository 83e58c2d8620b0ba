import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { utimes, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ArchiveTarget } from '../../src/delivery/archive.js';
import { createS3Archive } from '../../src/delivery/s3/s3-archive.js';
import { createS3Client } from '../../src/delivery/s3/s3-client.js';
import { AppError, NotFoundError } from '../../src/errors.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { withTempDir } from '../helpers/temp-dir.js';

const sha256 = (content: string) => createHash('sha256').update(content).digest('hex');

describe('the S3 archive', () => {
  let s3: TestS3;
  let archive: ArchiveTarget;
  let prefixes = 0;
  /** Each test its own prefix in the bucket. */
  const fresh = (): { archive: ArchiveTarget; prefix: string } => {
    const prefix = `t${++prefixes}/archive`;
    return { archive: createS3Archive({ client: s3.client, bucket: s3.bucket, prefix, timeoutMs: 5_000 }), prefix };
  };
  before(async () => {
    s3 = await startS3();
    archive = fresh().archive;
  });
  after(async () => {
    await s3.stop();
  });

  test('a file put is stored with its sha256, stat finds it and a read gives its bytes back', async () => {
    await withTempDir('s3-put-', async (dir) => {
      const source = join(dir, 'report.csv');
      const content = 'a,b\n1,2\n'.repeat(1000);
      await writeFile(source, content);
      const stored = await archive.putFile('reports/2026/11/r1/report.csv', source);
      assert.equal(stored.sha256, sha256(content));
      assert.equal(stored.bytes, content.length);
      assert.equal(stored.location, `s3://${s3.bucket}/t1/archive/reports/2026/11/r1/report.csv`);
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 't1/archive/reports/2026/11/r1/report.csv' }));
      assert.equal(head.Metadata?.sha256, sha256(content));
      assert.deepEqual(await archive.stat('reports/2026/11/r1/report.csv'), stored);
      assert.equal(await text(await archive.openRead('reports/2026/11/r1/report.csv')), content);
    });
  });

  test('a buffer put reads back; a missing object is null to stat and NotFound to a read', async () => {
    const stored = await archive.putBuffer('reports/x/summary.json', '{"a":1}');
    assert.equal(stored.sha256, sha256('{"a":1}'));
    assert.equal(await text(await archive.openRead('reports/x/summary.json')), '{"a":1}');
    assert.equal(await archive.stat('reports/nothing/here.csv'), null);
    await assert.rejects(
      archive.openRead('reports/nothing/here.csv'),
      (error) => error instanceof NotFoundError && error.message.includes('reports/nothing/here.csv'),
    );
  });

  test('the description names the bucket and prefix and no credentials', () => {
    assert.equal(archive.description, `s3://${s3.bucket}/t1/archive`);
    assert.doesNotMatch(archive.description, /S3RVER/u);
  });

  test('an object whose bytes no longer match its stored sha256 fails the read, naming the key and both digests', async () => {
    const { archive: own } = fresh();
    const stored = await own.putBuffer('reports/c/report.csv', 'good,bytes\n1,2\n');
    // Corrupted where it is kept: the same length, the metadata left as it was.
    await writeFile(s3.objectPath(`t${prefixes}/archive/reports/c/report.csv`), 'evil,bytes\n1,2\n');
    const read = own.openRead('reports/c/report.csv').then((stream) => text(stream));
    await assert.rejects(read, (error) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'archive_corrupt');
      assert.equal(error.retryable, false);
      assert.match(error.message, /reports\/c\/report\.csv/u);
      assert.match(error.message, new RegExp(stored.sha256, 'u'));
      assert.match(error.message, new RegExp(sha256('evil,bytes\n1,2\n'), 'u'));
      return true;
    });
  });

  test('an object overwritten by a raw PutObject without the digest is refused on read', async () => {
    const { archive: own, prefix } = fresh();
    await own.putBuffer('reports/d/report.csv', 'one\n');
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/reports/d/report.csv`, Body: 'two\n' }));
    await assert.rejects(
      own.openRead('reports/d/report.csv').then((stream) => text(stream)),
      (error) => error instanceof AppError && error.code === 'archive_corrupt',
    );
  });

  test('the retention sweep removes old objects page by page, resuming where it stopped', async () => {
    const { archive: own, prefix } = fresh();
    const keys = Array.from({ length: 7 }, (_, index) => `reports/2026/01/r${index}/report.csv`);
    for (const key of keys) await own.putBuffer(key, key);
    // Objects 0, 2, 4 and 6 are old (s3rver's LastModified is its file's mtime).
    const old = new Date(Date.now() - 10 * 86_400_000);
    for (const [index, key] of keys.entries()) if (index % 2 === 0) await utimes(s3.objectPath(`${prefix}/${key}`), old, old);
    const cutoff = new Date(Date.now() - 86_400_000);

    const first = await own.removeOlderThan(cutoff, { limit: 3 });
    assert.deepEqual(first, { examined: 3, removed: 2, resumeAfter: keys[2] });
    const second = await own.removeOlderThan(cutoff, { limit: 3, resumeAfter: first.resumeAfter });
    assert.deepEqual(second, { examined: 3, removed: 1, resumeAfter: keys[5] });
    const third = await own.removeOlderThan(cutoff, { limit: 3, resumeAfter: second.resumeAfter });
    assert.deepEqual(third, { examined: 1, removed: 1, resumeAfter: null });
    const left = await Promise.all(keys.map(async (key) => (await own.stat(key)) !== null));
    assert.deepEqual(left, [false, true, false, true, false, true, false]);
  });

  test('a store that does not answer is a retryable error, never a permanent one', async () => {
    const down = await startS3();
    const { endpoint } = down;
    await down.stop();
    const client = createS3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', timeoutMs: 2_000 });
    const away = createS3Archive({ client, bucket: 'reports', prefix: 'x', timeoutMs: 2_000 });
    const retryable = (error: unknown) => error instanceof AppError && error.code === 'archive_unavailable' && error.retryable;
    await assert.rejects(away.putBuffer('a/b.csv', 'x'), retryable);
    await assert.rejects(away.stat('a/b.csv'), retryable);
    await assert.rejects(away.openRead('a/b.csv'), retryable);
    await assert.rejects(away.removeOlderThan(new Date(), { limit: 10 }), retryable);
    await withTempDir('s3-down-', async (dir) => {
      await writeFile(join(dir, 'f.csv'), 'x\n');
      await assert.rejects(away.putFile('a/f.csv', join(dir, 'f.csv')), retryable);
    });
    client.destroy();
  });

  test('a store that accepts connections and never answers is a retryable error once the deadline passes', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    // as: a TCP server listening on a port has an AddressInfo
    const { port } = silent.address() as AddressInfo;
    const client = createS3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      timeoutMs: 60_000,
    });
    const slow = createS3Archive({ client, bucket: 'reports', prefix: 'x', timeoutMs: 1_000 });
    try {
      const timedOut = (error: unknown) =>
        error instanceof AppError && error.code === 'archive_unavailable' && error.retryable && error.message.includes('no answer within 1000 ms');
      await assert.rejects(slow.stat('a/b.csv'), timedOut);
      await assert.rejects(slow.openRead('a/b.csv'), timedOut);
      await assert.rejects(slow.putBuffer('a/b.csv', 'x'), timedOut);
    } finally {
      client.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
