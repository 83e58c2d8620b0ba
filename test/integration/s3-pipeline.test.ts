import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import request from 'supertest';
import { scratchKey } from '../../src/jobs/scratch-copy.js';
import { closeRedis } from '../../src/redis.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { pipelineEnv } from '../helpers/pipeline.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTcpRelay } from '../helpers/tcp-relay.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const RANGE = { start: '2026-01-01T00:00:00Z', end: '2026-01-08T00:00:00Z' };
/** Losant's download links live an hour; the simulator's clock jumps past that. */
const HOURS = 3_600_000;

let sim: Simulator;
let smtp: TestSmtpServer;
let s3: TestS3;
/** How far the simulator's clock is ahead: moved on to make its download links expire. */
let skewMs = 0;

async function requestReport(service: RunningService, body: Record<string, unknown> = {}): Promise<string> {
  const previous = sim.jobs.at(-1);
  if (previous) await sim.waitForJob(previous.jobId, 20_000);
  const response = await request(service.url)
    .post('/admin/reports')
    .set(auth)
    .send({ ...RANGE, recipients: ['ops@example.com'], ...body });
  assert.equal(response.status, 202, JSON.stringify(response.body));
  return response.body.report.id as string;
}

async function headObject(key: string) {
  return s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key })).catch((error: unknown) => {
    if (error instanceof Error && error.name === 'NotFound') return null;
    throw error;
  });
}

describe('the pipeline with an S3 archive', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 20, now: () => new Date(Date.now() + skewMs) });
    smtp = await startTestSmtpServer();
    s3 = await startS3();
  });
  after(async () => {
    await s3.stop();
    await smtp.close();
    await sim.close();
  });

  test('a stopped service leaves no connection to the bucket open', async () => {
    const relay = await startTcpRelay(Number(new URL(s3.endpoint).port));
    try {
      const service = await startService({ name: 's3-sockets', env: { ...pipelineEnv(sim, smtp), ...s3.env('sockets'), ARCHIVE_S3_ENDPOINT: relay.url } });
      try {
        const id = await requestReport(service);
        const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
        assert.equal(record.status, 'delivered', JSON.stringify(record.error));
        assert.ok(record.archive?.csv.location.startsWith(`s3://${s3.bucket}/sockets/`));
        assert.ok(relay.open > 0, 'the archive keeps its connections open while the service runs');
      } finally {
        await service.stop();
      }
      // Kept open by the relay whatever s3rver does: only the service's client can close them. The
      // limit is far above the milliseconds a close takes; it only turns a leak into a failure.
      await relay.allClosed(10_000);
      assert.equal(relay.open, 0);
    } finally {
      await relay.close();
    }
  });

  test('a report is delivered and its CSV is in the bucket with its sha256 in the metadata', async () => {
    const service = await startService({ name: 's3-pipeline', env: { ...pipelineEnv(sim, smtp), ...s3.env('delivered') } });
    try {
      const before = smtp.messages.length;
      const id = await requestReport(service);
      const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
      assert.equal(record.status, 'delivered', JSON.stringify(record.error));
      const csv = record.archive!.csv;
      assert.equal(csv.location, `s3://${s3.bucket}/delivered/${csv.key}`);
      const head = await headObject(`delivered/${csv.key}`);
      assert.equal(head?.Metadata?.sha256, record.download?.sha256);
      assert.equal(head?.ContentLength, record.download?.bytes);
      assert.ok(record.archive?.summary, 'the summary is archived beside the CSV');
      await smtp.waitForMessages(before + 1);
    } finally {
      await service.stop();
    }
  });

  test('with EMAIL_ARCHIVE_LINK_HOURS, the email links to the archived CSV, and the link downloads it', async () => {
    const service = await startService({ name: 's3-link', env: { ...pipelineEnv(sim, smtp), ...s3.env('linked'), EMAIL_ARCHIVE_LINK_HOURS: '24' } });
    try {
      const before = smtp.messages.length;
      const id = await requestReport(service);
      const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
      assert.equal(record.status, 'delivered', JSON.stringify(record.error));
      const message = (await smtp.waitForMessages(before + 1)).slice(before).find((entry) => entry.parsed.messageId === `<report-${id}@report-relay>`);
      assert.ok(message);
      const link = /^(http:\/\/127\.0\.0\.1:\d+\/\S+X-Amz-Signature=\S+)$/mu.exec(message.parsed.text ?? '')?.[1];
      assert.ok(link, 'the text version carries the link on a line of its own');
      assert.match(link, /X-Amz-Expires=86400/u);
      assert.ok(String(message.parsed.html).includes(`href="${link.replaceAll('&', '&amp;')}"`), 'the HTML version links to it too');
      const response = await fetch(link);
      assert.equal(response.status, 200);
      const bytes = Buffer.from(await response.arrayBuffer());
      assert.equal(createHash('sha256').update(bytes).digest('hex'), record.archive?.csv.sha256);
    } finally {
      await service.stop();
    }
  });

  for (const archive of [true, false]) {
    test(`with archive ${String(archive)}, a retry on another host after the archive step delivers from the bucket, not from Losant's expired link`, async () => {
      const prefix = uniquePrefix(`s3-takeover-${String(archive)}`);
      const redis = testRedis();
      const dataDirs = await Promise.all([mkdtemp(join(tmpdir(), 'host-a-')), mkdtemp(join(tmpdir(), 'host-b-'))]);
      const shared = { ...pipelineEnv(sim, smtp), ...s3.env(`takeover-${String(archive)}`), REDIS_PREFIX: prefix, JOB_ATTEMPTS: '10', JOB_BACKOFF_MS: '1000' };
      // Host A: its mail server is away, so each run stops at the email step.
      const hostA = await startService({ name: 'host-a', env: { ...shared, DATA_DIR: dataDirs[0], SMTP_URL: 'smtp://127.0.0.1:1' } });
      let hostB: RunningService | null = null;
      try {
        const before = smtp.messages.length;
        const id = await requestReport(hostA, { archive });
        for (;;) {
          const record = await hostA.store.get(id);
          if (record?.error?.step === 'email') break;
          assert.notEqual(record?.status, 'failed', JSON.stringify(record?.error));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await hostA.stop();
        // Losant's link has expired by now: only the bucket has the CSV.
        skewMs += 2 * HOURS;

        hostB = await startService({ name: 'host-b', env: { ...shared, DATA_DIR: dataDirs[1] } });
        const record = await hostB.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
        assert.equal(record.status, 'delivered', JSON.stringify(record.error));
        const messages = (await smtp.waitForMessages(before + 1)).slice(before);
        assert.equal(messages.filter((message) => message.parsed.messageId === `<report-${id}@report-relay>`).length, 1);
        if (archive) {
          const head = await headObject(`takeover-true/${record.archive!.csv.key}`);
          assert.equal(head?.Metadata?.sha256, record.download?.sha256);
        } else {
          assert.equal(record.archive, null);
          // Removed right after the report is marked delivered (not before: a run cut off in between still needs it).
          const deadline = Date.now() + 20_000;
          while ((await headObject(`takeover-false/${scratchKey(id)}`)) !== null) {
            assert.ok(Date.now() < deadline, 'the scratch copy goes once the report is delivered');
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      } finally {
        await hostB?.stop();
        await deleteKeys(redis, prefix);
        await closeRedis(redis);
        await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
      }
    });
  }
});
