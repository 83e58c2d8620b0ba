import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { closeRedis } from '../../src/redis.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

describe('a corrupt object in the S3 archive', () => {
  let sim: Simulator;
  let smtp: TestSmtpServer;
  let s3: TestS3;
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 20 });
    smtp = await startTestSmtpServer();
    s3 = await startS3();
  });
  after(async () => {
    await s3.stop();
    await smtp.close();
    await sim.close();
  });

  test('a retry on another host that reads back a corrupted CSV fails the report for good, naming the object, and emails nothing', async () => {
    const prefix = uniquePrefix('s3-corrupt');
    const redis = testRedis();
    const dataDirs = await Promise.all([mkdtemp(join(tmpdir(), 'host-a-')), mkdtemp(join(tmpdir(), 'host-b-'))]);
    const shared = {
      LOSANT_API_URL: sim.url,
      LOSANT_API_TOKEN: sim.token,
      LOSANT_INSTANCE_ID: sim.instanceId,
      ...s3.env('corrupt'),
      REDIS_PREFIX: prefix,
      JOB_ATTEMPTS: '10',
      JOB_BACKOFF_MS: '500',
    };
    // Host A archives the CSV, then stops at the email step: its mail server is away.
    const hostA = await startService({ name: 'host-a', env: { ...shared, DATA_DIR: dataDirs[0], SMTP_URL: 'smtp://127.0.0.1:1' } });
    let hostB: RunningService | null = null;
    try {
      const before = smtp.messages.length;
      const response = await request(hostA.url)
        .post('/admin/reports')
        .set(auth)
        .send({ start: '2026-01-01T00:00:00Z', end: '2026-01-08T00:00:00Z', recipients: ['ops@example.com'] });
      assert.equal(response.status, 202, JSON.stringify(response.body));
      const id = response.body.report.id as string;
      for (;;) {
        const record = await hostA.store.get(id);
        if (record?.error?.step === 'email') break;
        assert.notEqual(record?.status, 'failed', JSON.stringify(record?.error));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const archived = (await hostA.store.get(id))!.archive!.csv;
      await hostA.stop();

      // The stored bytes change where the server keeps them (same length), the metadata does not.
      const path = s3.objectPath(`corrupt/${archived.key}`);
      const bytes = await readFile(path);
      bytes[bytes.length - 2] = bytes[bytes.length - 2] === 0x31 ? 0x32 : 0x31;
      await writeFile(path, bytes);

      hostB = await startService({ name: 'host-b', env: { ...shared, DATA_DIR: dataDirs[1], SMTP_URL: smtp.url } });
      const record = await hostB.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
      assert.equal(record.status, 'failed');
      assert.equal(record.error?.code, 'archive_corrupt');
      assert.equal(record.error.permanent, true);
      assert.match(record.error.message, new RegExp(archived.key.replaceAll('.', '\\.'), 'u'));
      assert.match(record.error.message, new RegExp(archived.sha256, 'u'));
      assert.equal(smtp.messages.length, before, 'a corrupt report is never emailed');
      assert.equal(record.email, null);
    } finally {
      await hostB?.stop();
      await deleteKeys(redis, prefix);
      await closeRedis(redis);
      await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    }
  });
});
