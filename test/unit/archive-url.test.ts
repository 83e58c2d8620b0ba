import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { parseArchiveUrl } from '../../src/delivery/archive-url.js';
import { createS3Client } from '../../src/delivery/s3/s3-client.js';
import { ValidationError } from '../../src/errors.js';
import { testConfig } from '../helpers/config.js';

describe('ARCHIVE_URL', () => {
  test('unset or file: is the folder DATA_DIR/archive; file:/path another folder', () => {
    assert.deepEqual(parseArchiveUrl(null, '/data'), { kind: 'file', dir: resolve('/data/archive') });
    assert.deepEqual(parseArchiveUrl('file:', '/data'), { kind: 'file', dir: resolve('/data/archive') });
    assert.deepEqual(parseArchiveUrl('file:/mnt/reports', '/data'), { kind: 'file', dir: resolve('/mnt/reports') });
  });

  test('s3://bucket/prefix names the bucket and the prefix, slashes trimmed; no prefix is the bucket root', () => {
    assert.deepEqual(parseArchiveUrl('s3://my-bucket/relay/prod/', '/data'), { kind: 's3', bucket: 'my-bucket', prefix: 'relay/prod' });
    assert.deepEqual(parseArchiveUrl('s3://my-bucket', '/data'), { kind: 's3', bucket: 'my-bucket', prefix: '' });
  });

  test('the setting refuses other schemes and bad bucket names at start', () => {
    for (const bad of ['http://x/y', 's3://', 's3://Upper/x', 'gs://bucket/x']) {
      assert.throws(() => testConfig({ ARCHIVE_URL: bad }), /ARCHIVE_URL/u, bad);
    }
    assert.equal(testConfig({ ARCHIVE_URL: 's3://reports/relay' }).archive.url, 's3://reports/relay');
    assert.equal(loadConfig('worker', { REDIS_URL: 'redis://127.0.0.1:6379', LOSANT_INSTANCE_ID: 'a1b2c3d4e5f6a1b2c3d4e5f6' }).archive.url, null);
  });

  test('an access key id without its secret (or the reverse) is refused', () => {
    const base = { endpoint: null, region: 'us-east-1', forcePathStyle: false, timeoutMs: 1_000 };
    assert.throws(() => createS3Client({ ...base, accessKeyId: 'id', secretAccessKey: null }), ValidationError);
    assert.throws(() => createS3Client({ ...base, accessKeyId: null, secretAccessKey: 'secret' }), ValidationError);
    createS3Client({ ...base, accessKeyId: null, secretAccessKey: null }).destroy();
  });
});
