import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { processJobId } from '../../src/jobs/queue.js';
import { generateId, generateSecret } from '../../src/reports/secrets.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { captureLogger } from '../helpers/logger.js';
import { createAwaitingReport } from '../helpers/reports.js';
import { startService, type RunningService } from '../helpers/service.js';

let service: RunningService;
const logs = captureLogger('debug');
const CSV = 'resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\n';

async function newReport(options: { jobId?: string } = {}) {
  const report = await createAwaitingReport(service.store, service.url);
  if (options.jobId) {
    await service.store.markAccepted(report.id, { jobId: options.jobId, acceptedAt: null, legacy: false }, 'queued');
  }
  return report;
}

const jobCount = async () => await service.queue.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
const totalJobs = async () => Object.values(await jobCount()).reduce((sum, n) => sum + n, 0);

describe('callback receiver', () => {
  before(async () => {
    service = await startService({ worker: false, logger: logs.logger, name: 'receiver', env: { CALLBACK_MAX_BYTES: '4096' } });
  });
  after(async () => {
    await service.stop();
  });

  test('a valid callback is stored, acknowledged with 202 and enqueued once under a deterministic job id, with its request id', async () => {
    const report = await newReport({ jobId: 'job-1' });
    const response = await request(service.url).post(report.path).set('Content-Type', 'text/csv').set('X-Losant-Job-Id', 'job-1').send(CSV);
    assert.equal(response.status, 202);
    assert.deepEqual(response.body, { received: true, reportId: report.id });
    const record = await service.store.get(report.id);
    assert.equal(record?.status, 'callback_received');
    assert.equal(record?.callback?.contentType, 'text/csv');
    assert.equal(record?.callback?.jobId, 'job-1');
    assert.equal((await service.store.getCallbackBody(report.id))?.toString(), CSV);
    const job = await service.queue.queue.getJob(processJobId(report.id, 1));
    // Ids only: the report's, and the callback request's (echoed in X-Request-Id), for the worker's log lines.
    assert.deepEqual(job?.data, { reportId: report.id, requestId: response.headers['x-request-id'] });
  });

  test('a wrong secret, another report secret, a truncated or over-long secret, or an unknown id get 404 and nothing is stored', async () => {
    const report = await newReport();
    const other = await newReport();
    const before = await totalJobs();
    const attempts = [
      `/callbacks/r/${report.id}/${generateSecret()}`,
      `/callbacks/r/${report.id}/${other.secret}`,
      `/callbacks/r/${report.id}/${report.secret.slice(0, -1)}`,
      `/callbacks/r/${report.id}/${report.secret}x`,
      `/callbacks/r/${generateId('r')}/${report.secret}`,
      `/callbacks/r/${report.id}`,
      `/callbacks/r/not-an-id/${report.secret}`,
    ];
    for (const path of attempts) {
      const response = await request(service.url).post(path).set('Content-Type', 'text/csv').send(CSV);
      assert.equal(response.status, 404, path);
      assert.deepEqual(response.body, { error: { code: 'not_found', message: 'Not found' } });
    }
    assert.equal((await service.store.get(report.id))?.status, 'requested');
    assert.equal(await service.store.getCallbackBody(report.id), null);
    assert.equal(await totalJobs(), before);
  });

  test('50 identical callbacks at once: every sender gets a 2xx, one is kept and one job is enqueued', async () => {
    const report = await newReport();
    const before = await totalJobs();
    const responses = await Promise.all(Array.from({ length: 50 }, () => request(service.url).post(report.path).set('Content-Type', 'text/csv').send(CSV)));
    const statuses = responses.map((response) => response.status).sort();
    assert.equal(statuses.filter((status) => status === 202).length, 1);
    assert.equal(statuses.filter((status) => status === 200).length, 49);
    assert.equal(await totalJobs(), before + 1);
    assert.equal((await service.store.get(report.id))?.callback?.duplicates, 49);
  });

  test('a callback that arrives before Losant answered 202 is matched to its report', async () => {
    const report = await newReport();
    const response = await request(service.url)
      .post(report.path)
      .set('Content-Type', 'application/json')
      .send({ jobId: 'early-job', status: 'completed', url: 'https://files.example.com/r.csv' });
    assert.equal(response.status, 202);
    const record = await service.store.get(report.id);
    assert.equal(record?.status, 'callback_received');
    assert.equal(record?.losant.jobId, 'early-job');
  });

  test('a callback naming another Losant job is refused with 409, kept beside the report, and leaves it waiting', async () => {
    const report = await newReport({ jobId: 'job-A' });
    const response = await request(service.url).post(report.path).send({ jobId: 'job-B', url: 'https://files.example.com/r.csv' });
    assert.equal(response.status, 409);
    assert.equal(response.body.error.code, 'job_mismatch');
    const record = await service.store.get(report.id);
    assert.equal(record?.status, 'accepted');
    assert.match(record?.history.at(-1)?.note ?? '', /job-B/u);
    const kept = await request(service.url).get(`/admin/reports/${report.id}/rejected-callbacks`).set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
    assert.equal(kept.status, 200);
    assert.equal(kept.body.items.length, 1);
    const body = await request(service.url).get(kept.body.items[0].bodyUrl).set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`).buffer(true);
    assert.equal(body.status, 200);
    assert.equal(Buffer.from(body.body as Buffer).toString(), '{"jobId":"job-B","url":"https://files.example.com/r.csv"}');
  });

  test('a body over the size limit gets 413 and is not stored', async () => {
    const report = await newReport();
    const response = await request(service.url).post(report.path).set('Content-Type', 'text/csv').send('x'.repeat(5000));
    assert.equal(response.status, 413);
    assert.equal(response.body.error.code, 'payload_too_large');
    assert.equal((await service.store.get(report.id))?.status, 'requested');
  });

  test('JSON, form and binary bodies are all kept as they came (an empty one is refused: callback-versions.test.ts)', async () => {
    for (const [type, body] of [
      ['application/json', '{"not": "understood"}'],
      ['application/x-www-form-urlencoded', 'url=https%3A%2F%2Ffiles.example.com%2Fa.csv'],
      ['application/octet-stream', 'a,b\n'],
    ] as const) {
      const report = await newReport();
      const response = await request(service.url).post(report.path).set('Content-Type', type).send(body);
      assert.equal(response.status, 202, type);
      assert.equal((await service.store.getCallbackBody(report.id))?.toString(), body, type);
    }
  });

  test('secrets and whole callback URLs never appear in the logs', async () => {
    const report = await newReport();
    await request(service.url).post(report.path).set('Content-Type', 'text/csv').send(CSV);
    await request(service.url).post(`/callbacks/r/${report.id}/${generateSecret()}`).send(CSV);
    const text = logs.text();
    assert.ok(text.includes(report.id), 'the report id is logged');
    assert.ok(!text.includes(report.secret), 'the secret is not logged');
    assert.match(text, /\[redacted\]/u);
  });
});
