import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import type { Instance, InstanceReportConfig } from '../../src/losant/response-schemas.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.js';
import { validateLosant } from '../helpers/losant-schemas.js';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Waits for a condition with a hang limit far above any machine's speed. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition did not hold within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function startReceiver() {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    void text(req).then((body) => {
      bodies.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks/r/s3cret`, bodies };
}

async function setup(options: SimulatorOptions = {}) {
  const sim = await startSimulator({ reportDelayMs: 10, ...options });
  cleanups.push(() => sim.close());
  return sim;
}

/** An Instance on success, Losant's error body otherwise. */
type PatchAnswer = Instance & { reportConfigs: Array<InstanceReportConfig & { id: string }>; type?: string; message: string };

async function patch(sim: Simulator, body: unknown, token = sim.token) {
  const response = await fetch(`${sim.url}/instances/${sim.instanceId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as PatchAnswer };
}

describe('report configs', () => {
  test('PATCH replaces the whole reportConfigs array, keeps given ids and assigns 24-hex ids to the others', async () => {
    const sim = await setup();
    const first = await patch(sim, {
      reportConfigs: [
        { cron: '0 4 1 * *', timezone: 'America/New_York', dateGroupBy: 'month', periods: 3, emails: ['ops@example.com'] },
        { id: 'my-own-id', cron: '0 4 * * 1', resourceGroupBy: 'application', includeSandbox: true },
      ],
    });
    assert.equal(first.status, 200);
    assert.equal(validateLosant('instance', first.body), null);
    const [a, b] = first.body.reportConfigs;
    assert.ok(a && b);
    assert.match(a.id, /^[a-f\d]{24}$/u);
    assert.equal(b.id, 'my-own-id');
    assert.equal(a.timezone, 'America/New_York');
    assert.equal(a.periods, 3);

    const second = await patch(sim, { reportConfigs: [{ id: a.id, cron: '0 4 1,15 * *' }] });
    assert.equal(second.status, 200);
    assert.deepEqual(second.body.reportConfigs, [{ id: a.id, cron: '0 4 1,15 * *' }]);

    const get = await fetch(`${sim.url}/instances/${sim.instanceId}`, { headers: { authorization: `Bearer ${sim.token}` } });
    assert.deepEqual(((await get.json()) as Instance).reportConfigs, second.body.reportConfigs);

    const cleared = await patch(sim, { reportConfigs: [] });
    assert.deepEqual(cleared.body.reportConfigs, []);
  });

  test('an invalid cron, time zone or a repeated id is 400 Validation naming the config', async () => {
    const sim = await setup();
    const badCron = await patch(sim, { reportConfigs: [{ cron: '0 4 1 * *' }, { cron: '61 4 * * *' }] });
    assert.equal(badCron.status, 400);
    assert.equal(badCron.body.type, 'Validation');
    assert.match(badCron.body.message, /reportConfigs\.1\.cron/u);
    const badZone = await patch(sim, { reportConfigs: [{ cron: '0 4 1 * *', timezone: 'Mars/Olympus_Mons' }] });
    assert.equal(badZone.status, 400);
    assert.match(badZone.body.message, /reportConfigs\.0\.timezone/u);
    const repeated = await patch(sim, {
      reportConfigs: [
        { id: 'x', cron: '0 4 1 * *' },
        { id: 'x', cron: '0 4 2 * *' },
      ],
    });
    assert.equal(repeated.status, 400);
    assert.match(repeated.body.message, /reportConfigs\.1\.id/u);
    assert.equal(validateLosant('error', repeated.body), null);
  });

  test('triggerReportConfig runs a config now: `periods` whole buckets before the run, to its callbackUrl', async () => {
    const receiver = await startReceiver();
    const sim = await setup({ now: () => new Date('2026-04-01T09:00:00Z') });
    const { body } = await patch(sim, {
      reportConfigs: [{ cron: '0 4 1 * *', callbackUrl: receiver.url, dateGroupBy: 'month', periods: 3, resourceGroupBy: 'application', includeSandbox: true }],
    });
    const configId = body.reportConfigs[0]!.id;
    const job = await sim.triggerReportConfig(configId);
    assert.equal(job.state, 'done');
    assert.equal(job.source, 'config');
    assert.equal(job.configId, configId);
    assert.equal(job.options.start, '2026-01-01T00:00:00.000Z');
    assert.equal(job.options.end, '2026-03-31T23:59:59.999Z');
    assert.equal(job.options.resourceGroupBy, 'application');
    assert.deepEqual(
      job.callbacks.map((c) => c.status),
      [204],
    );
    assert.equal((receiver.bodies[0] as { jobId: string }).jobId, job.jobId);
    const header =
      (
        await text(
          sim.buildReportCsv({ start: job.options.start, end: job.options.end, resourceGroupBy: 'application', dateGroupBy: 'month', includeSandbox: true }),
        )
      ).split('\n').length - 2;
    assert.equal(job.rows, header);
  });

  test('a config with defaults covers the previous whole UTC day', async () => {
    const sim = await setup({ now: () => new Date('2026-04-10T09:00:00Z') });
    const { body } = await patch(sim, { reportConfigs: [{ cron: '0 4 * * *' }] });
    const job = await sim.triggerReportConfig(body.reportConfigs[0]!.id);
    assert.equal(job.options.start, '2026-04-09T00:00:00.000Z');
    assert.equal(job.options.end, '2026-04-09T23:59:59.999Z');
    assert.equal(job.options.resourceGroupBy, 'organization');
    assert.equal(job.rows, 6);
  });

  test('triggerReportConfig rejects an unknown config id', async () => {
    const sim = await setup();
    await assert.rejects(sim.triggerReportConfig('missing'), /No report config/u);
  });

  test('a config fires on its cron schedule and stops once removed', async () => {
    const receiver = await startReceiver();
    const sim = await setup();
    await patch(sim, { reportConfigs: [{ cron: '* * * * * *', timezone: 'Europe/Berlin', callbackUrl: receiver.url }] });
    await waitUntil(() => receiver.bodies.length > 0);
    assert.ok(receiver.bodies.length >= 1, 'the schedule fired');
    const fired = sim.jobs.filter((job) => job.source === 'config');
    assert.ok(fired.length >= 1);
    const removedId = fired[0]?.configId;
    const runsOfRemoved = () => sim.jobs.filter((job) => job.configId === removedId).length;

    await patch(sim, { reportConfigs: [] });
    const count = runsOfRemoved();
    // A positive signal instead of a pause: once a config added after the removal has fired twice,
    // at least one of the removed config's due seconds has passed.
    const marker = await startReceiver();
    await patch(sim, { reportConfigs: [{ cron: '* * * * * *', timezone: 'UTC', callbackUrl: marker.url }] });
    await waitUntil(() => marker.bodies.length >= 2);
    assert.equal(runsOfRemoved(), count, 'no more runs after the config was removed');
  });
});
