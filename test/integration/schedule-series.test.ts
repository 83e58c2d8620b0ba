import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

/**
 * Every run of a schedule is a new report on the same pipeline, and the reports of one schedule
 * form a series: a run's summary is compared with the previous run's, and its email says so
 * (README, Schedules).
 */

const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
let sim: Simulator;
let smtp: TestSmtpServer;
let service: RunningService;

/** Fires the schedule's config on the simulator and returns the report its callback made, once delivered. */
async function runOnce(configId: string, known: Set<string>): Promise<string> {
  await sim.triggerReportConfig(configId);
  const listed = await request(service.url).get('/admin/reports?limit=50').set(auth);
  const fresh = (listed.body.items as Array<{ id: string; source: string }>).filter((item) => item.source === 'schedule' && !known.has(item.id));
  assert.equal(fresh.length, 1, 'one new report per run');
  const id = fresh[0]!.id;
  known.add(id);
  const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
  assert.equal(record.status, 'delivered', JSON.stringify(record.error));
  return id;
}

describe('the runs of a schedule', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 10 });
    smtp = await startTestSmtpServer();
    service = await startService({
      name: 'schedule-series',
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, SMTP_URL: smtp.url },
    });
  });
  after(async () => {
    await service.stop();
    await smtp.close();
    await sim.close();
  });

  test('each run is a report of its own; the second is compared with the first, and its email says so', async () => {
    const created = await request(service.url)
      .post('/admin/schedules')
      .set(auth)
      .send({ cron: '0 5 * * *', timezone: 'UTC', periods: 2, recipients: ['ops@example.com'] });
    assert.equal(created.status, 201, created.text);
    const { id: scheduleId, losantConfigId } = created.body.schedule;
    const known = new Set<string>();

    const first = await runOnce(losantConfigId, known);
    const second = await runOnce(losantConfigId, known);
    const [one, two] = await Promise.all([service.store.getExisting(first), service.store.getExisting(second)]);
    assert.deepEqual([one.scheduleId, two.scheduleId], [scheduleId, scheduleId]);
    assert.equal(one.seriesKey, two.seriesKey, 'one series');
    assert.equal(one.comparison, null, 'the first run has nothing to compare with');
    assert.equal(two.comparison?.previousReportId, first);

    const view = await request(service.url).get(`/admin/reports/${second}`).set(auth);
    assert.equal(view.body.report.comparison.previousReportId, first);
    const emailOf = (id: string) => smtp.messages.filter((message) => message.raw.toString('utf8').includes(`report-${id}@report-relay`));
    assert.equal(emailOf(second).length, 1);
    assert.match(emailOf(second)[0]!.parsed.text ?? '', /previous/iu, 'the email compares with the previous run');
    assert.doesNotMatch(emailOf(first)[0]!.parsed.text ?? '', /previous/iu, 'the first run has no previous one');
  });
});
