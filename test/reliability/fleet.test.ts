import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createAwaitingReport } from '../helpers/reports.js';
import { uniquePrefix } from '../helpers/redis.js';
import { redisKeys } from '../../src/redis-keys.js';
import { startSimulator } from '../../src/sim/index.js';
import { startCsvServer, type CsvServer } from './helpers/csv-server.js';
import { startFleet, type Fleet } from './helpers/fleet.js';
import { createQueueProbe, type QueueProbe } from './helpers/queue-probe.js';
import { waitForQueueIdle } from './helpers/queue-idle.js';
import { readAll } from './helpers/reports.js';
import { mailsForReport, startStallSmtpServer, type StallSmtpServer } from './helpers/stall-smtp.js';
import { REDIS_URL } from '../helpers/redis.js';
import { startS3, type TestS3 } from '../helpers/s3.js';

/**
 * Several hosts: 2 web and 3 worker processes, each its own DATA_DIR, one Redis, one S3 archive
 * (s3rver on loopback): a retry on another host reads the report back from the bucket.
 * 1,000 callbacks for 1,000 reports go to both web processes; a third of the way through, one
 * worker is killed with SIGKILL and started again. Every report must end delivered with one
 * archived CSV and its email (repeated only where the kill fell inside an SMTP hand-off), and
 * nothing may be left running or waiting.
 */

const REPORTS = 1_000;
const CALLBACKS_IN_FLIGHT = 16;
const WORKER_CONCURRENCY = 4;
const prefix = uniquePrefix('rel-fleet');
let fleet: Fleet;
let smtp: StallSmtpServer;
let csv: CsvServer;
let probe: QueueProbe;
let s3: TestS3;
const ARCHIVE_PREFIX = 'fleet';

async function countIn(status: 'delivered' | 'failed'): Promise<number> {
  return probe.redis.zcard(redisKeys(prefix).reports.byStatus(status));
}

async function waitFor(condition: () => Promise<boolean>, what: string, hangLimitMs: number): Promise<void> {
  const deadline = Date.now() + hangLimitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${hangLimitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Archived report CSVs per report id: the objects under the test's archive prefix, listed page by page. */
async function archivedCsvs(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${ARCHIVE_PREFIX}/`, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const match = /\/([^/]+)\/report\.csv$/u.exec(object.Key ?? '');
      if (match?.[1] !== undefined) counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return counts;
}

describe('two web and three worker processes on separate data folders, one S3 archive', () => {
  before(async () => {
    smtp = await startStallSmtpServer();
    s3 = await startS3();
    const sim = await startSimulator({ reportDelayMs: 10, faults: { noCallback: true } });
    try {
      csv = await startCsvServer(await readAll(sim.buildReportCsv({ start: '2026-01-01T00:00:00Z', end: '2026-01-04T00:00:00Z' })));
    } finally {
      await sim.close();
    }
    fleet = await startFleet({
      prefix,
      smtpUrl: smtp.url,
      shared: { ...s3.env(ARCHIVE_PREFIX), WORKER_CONCURRENCY: String(WORKER_CONCURRENCY), JOB_LOCK_MS: '2000', JOB_ATTEMPTS: '6' },
    });
    await fleet.startWeb();
    await fleet.startWeb();
    for (let i = 0; i < 3; i++) await fleet.startWorker();
    probe = createQueueProbe(REDIS_URL, prefix);
  });
  after(async () => {
    await probe?.close();
    await fleet?.close();
    await csv?.close();
    await smtp?.close();
    await s3?.stop();
  });

  test('1,000 callbacks, a worker killed midway: each report delivered, emailed and archived once, none stuck', async (t: TestContext) => {
    const started = Date.now();
    const delivery = { email: true, archive: true, recipients: ['ops@example.com'] };
    const reports: Array<Awaited<ReturnType<typeof createAwaitingReport>>> = [];
    for (let i = 0; i < REPORTS; i++) reports.push(await createAwaitingReport(probe.store, fleet.webUrls[0]!, delivery));

    // Callbacks spread over both web processes, as a load balancer would.
    let next = 0;
    const answers = new Map<number, number>();
    const send = async () => {
      for (let i = next++; i < REPORTS; i = next++) {
        const response = await fetch(`${fleet.webUrls[i % 2]}${reports[i]!.path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ url: csv.url }),
        });
        await response.arrayBuffer();
        answers.set(response.status, (answers.get(response.status) ?? 0) + 1);
      }
    };
    const sending = Promise.all(Array.from({ length: CALLBACKS_IN_FLIGHT }, send));

    await waitFor(async () => (await countIn('delivered')) >= REPORTS / 3, 'a third of the reports delivered', 300_000);
    const killedAt = await countIn('delivered');
    await fleet.restartWorker(0);
    await sending;
    assert.deepEqual([...answers], [[202, REPORTS]], 'every callback accepted');

    const ended = async () => (await countIn('delivered')) + (await countIn('failed'));
    await waitFor(async () => (await ended()) === REPORTS, `all ${REPORTS} reports ended`, 600_000);
    await waitForQueueIdle(probe.queue, 60_000);

    const records = await Promise.all(reports.map((report) => probe.store.get(report.id)));
    assert.deepEqual(
      records.filter((record) => record?.status !== 'delivered').map((record) => [record?.id, record?.status, record?.error?.message]),
      [],
    );
    // The SMTP hand-off is the one at-least-once step (src/jobs/steps/email-step.ts): a worker
    // killed after the server took a message and before the record says so sends it again on the
    // retry, with the same Message-ID. Only the killed worker's jobs in flight can repeat, and each
    // repeat shows on its record as a second hand-off.
    const repeated = reports.filter((report) => mailsForReport(smtp.received, report.id).length !== 1);
    assert.deepEqual(
      reports.filter((report) => mailsForReport(smtp.received, report.id).length === 0).map((report) => report.id),
      [],
      'every report emailed',
    );
    assert.ok(repeated.length <= WORKER_CONCURRENCY, `${repeated.length} reports emailed more than once`);
    for (const report of repeated) {
      const record = records.find((candidate) => candidate?.id === report.id);
      assert.equal(mailsForReport(smtp.received, report.id).length, 2, `${report.id}: at most one repeat`);
      assert.ok((record?.emailAttempts ?? 0) >= 2, `${report.id}: the repeat shows as a second hand-off`);
    }
    const archived = await archivedCsvs();
    assert.deepEqual(
      reports.filter((report) => archived.get(report.id) !== 1).map((report) => [report.id, archived.get(report.id) ?? 0]),
      [],
      'one archived CSV per report',
    );
    t.diagnostic(
      `${REPORTS} reports in ${Date.now() - started} ms; worker 0 killed when ${killedAt} were delivered; ${repeated.length} email(s) repeated by the kill`,
    );
  });
});
