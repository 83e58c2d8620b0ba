import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { formatNumber } from '../../src/delivery/format.js';
import { addMonths, comparedMonths, monthOf } from '../../src/insights/movers.js';
import type { Movers } from '../../src/insights/types.js';
import { redisKeys } from '../../src/redis-keys.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import type { OrganizationTrend } from '../../src/trends/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { losantMonth } from '../helpers/losant-months.js';
import { deliverReport } from '../helpers/pipeline.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

/**
 * Organizations' monthly trends end to end: the backfill from the simulator's historicalSummaries
 * over real HTTP, the points a delivered report writes, and the movers in the report's email.
 */

const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

let sim: Simulator;
let smtp: TestSmtpServer;
let service: RunningService;

const now = new Date();
const lastMonth = comparedMonths(now).latestMonth;
/** Days 1 to 10 of the last complete month, per day, by organization: part of a month. */
const RANGE = { start: `${lastMonth}-01T00:00:00.000Z`, end: `${lastMonth}-10T23:59:59.999Z` };
// With sandboxes: their users' rows are not organizations and get no months.
const OPTIONS = { resourceGroupBy: 'organization', dateGroupBy: 'day', includeSandbox: true } as const;

async function trends(): Promise<OrganizationTrend[]> {
  return service.usage.organizations.allTrends();
}

/** What the trends keep in Redis, but the write times (the organizations' months and names). */
async function storedTrends(): Promise<Record<string, Record<string, string>>> {
  const keys = redisKeys(service.config.redis.prefix).usage;
  const ids = Object.keys(await service.redis.hgetall(keys.trendOrganizations)).sort();
  const stored: Record<string, Record<string, string>> = { index: await service.redis.hgetall(keys.trendOrganizations) };
  for (const id of ids) stored[id] = await service.redis.hgetall(keys.organizationMonths(id));
  return stored;
}

async function deliveredReport(): Promise<{ text: string; html: string; movers: Movers | null | undefined }> {
  const { record, email } = await deliverReport({ sim, smtp, service }, { ...RANGE, ...OPTIONS, recipients: ['ops@example.com'] });
  return { text: email?.text ?? '', html: typeof email?.html === 'string' ? email.html : '', movers: record.summary?.insights?.movers };
}

const backfill = (body: unknown) =>
  request(service.url)
    .post('/admin/insights/backfill')
    .set(auth)
    .send(body as object);

describe('usage trends and the backfill', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 20 });
    smtp = await startTestSmtpServer();
    service = await startService({
      name: 'trends',
      env: {
        LOSANT_API_URL: sim.url,
        LOSANT_API_TOKEN: sim.token,
        LOSANT_INSTANCE_ID: sim.instanceId,
        INSIGHTS_LOSANT_API_TOKEN: sim.token,
        LOSANT_MAX_RETRIES: '1',
        SMTP_URL: smtp.url,
      },
    });
  });
  after(async () => {
    await service.stop();
    await smtp.close();
    await sim.close();
  });

  test('a report grouped by organization writes its month, marked partial; the email says there is no history yet', async () => {
    const { text, html } = await deliveredReport();
    const written = await trends();
    assert.equal(written.length, 6, 'one trend per organization');
    for (const trend of written) {
      assert.equal(trend.points.length, 1);
      const [point] = trend.points;
      assert.deepEqual([point?.month, point?.source, point?.daysCovered, point?.partial], [lastMonth, 'report', 10, true]);
      assert.ok(point?.report?.id.startsWith('r'));
    }
    assert.match(text, /MOVERS/u);
    assert.match(text, /No month-over-month history yet/u);
    assert.match(html, /No month-over-month history yet/u);
  });

  test("a 12-month backfill gives each organization's figures of each month as historicalSummaries gives them", async () => {
    const answer = await backfill({ months: 12 });
    assert.equal(answer.status, 200, answer.text);
    const expectedMonths = Array.from({ length: 12 }, (_, index) => addMonths(monthOf(now), index - 12));
    assert.deepEqual(
      answer.body.backfill.months.map((entry: { month: string }) => entry.month),
      expectedMonths,
    );
    assert.deepEqual([answer.body.backfill.organizations, answer.body.backfill.points], [6, 72]);

    const written = new Map((await trends()).map((trend) => [trend.id, trend]));
    for (const month of expectedMonths) {
      const losant = await losantMonth(sim, month);
      assert.equal(losant.size, 6);
      for (const [id, figures] of losant) {
        const trend = written.get(id);
        assert.equal(trend?.name, figures.name);
        const point = trend?.points.find((entry) => entry.month === month);
        assert.ok(point, `${id} has ${month}`);
        assert.deepEqual(
          { billablePayloads: point.billablePayloads, devices: point.devices, notebookMinutes: point.notebookMinutes },
          { billablePayloads: figures.billablePayloads, devices: figures.devices, notebookMinutes: figures.notebookMinutes },
          `${id} ${month}`,
        );
        assert.deepEqual([point.source, point.report, point.partial], ['historicalSummaries', null, false], "Losant's month replaces the report's part of it");
      }
    }
  });

  test('running the backfill again leaves the same points', async () => {
    const before = await storedTrends();
    const answer = await backfill({ months: 12 });
    assert.equal(answer.status, 200);
    assert.deepEqual(await storedTrends(), before);
  });

  test('the email shows the top movers up and down, month over month, with both months in HTML and text', async () => {
    const { latestMonth, previousMonth } = comparedMonths(now);
    const [latest, previous] = await Promise.all([losantMonth(sim, latestMonth), losantMonth(sim, previousMonth)]);
    const changes = [...latest].map(([id, figures]) => {
      const before = previous.get(id)?.billablePayloads ?? 0;
      const after = figures.billablePayloads ?? 0;
      return { id, name: figures.name, previous: before, latest: after, change: after - before };
    });
    const up = changes.filter((entry) => entry.change > 0).sort((a, b) => b.change - a.change);
    const down = changes.filter((entry) => entry.change < 0).sort((a, b) => a.change - b.change);
    assert.ok(up.length + down.length > 0, 'the simulator has organizations whose payloads moved');

    const { text, html, movers } = await deliveredReport();
    assert.deepEqual([movers?.previousMonth, movers?.latestMonth, movers?.compared], [previousMonth, latestMonth, 6]);
    assert.deepEqual(
      movers?.up.map((mover) => [mover.id, mover.previous, mover.latest]),
      up.slice(0, 5).map((entry) => [entry.id, entry.previous, entry.latest]),
    );
    assert.deepEqual(
      movers?.down.map((mover) => [mover.id, mover.previous, mover.latest]),
      down.slice(0, 5).map((entry) => [entry.id, entry.previous, entry.latest]),
    );
    assert.match(text, /MOVERS/u);
    assert.doesNotMatch(text, /No month-over-month history yet/u);
    assert.ok(text.includes(`${latestMonth} against ${previousMonth}`), text);
    for (const mover of [...up.slice(0, 5), ...down.slice(0, 5)]) {
      const figures = [formatNumber(mover.previous), formatNumber(mover.latest), `${mover.change > 0 ? '+' : ''}${formatNumber(mover.change)}`];
      const line = text.split('\n').find((candidate) => figures.every((figure) => candidate.includes(figure)));
      assert.ok(line, `a text row with ${mover.name}'s figures`);
      assert.match(line, mover.change > 0 ? / up /u : / down /u);
      assert.ok(
        figures.every((figure) => html.includes(`>${figure}<`)),
        `HTML cells with ${mover.name}'s figures`,
      );
    }
    assert.match(html, />Movers</u);
    assert.ok(html.includes(`>${previousMonth}<`) && html.includes(`>${latestMonth}<`), 'both months head the HTML table');

    // What the dashboard reads: the same movers, and one organization's months with its changes.
    const trends = service.web?.trends;
    assert.deepEqual(await trends?.movers(), movers);
    const first = changes[0];
    const trend = await trends?.organizationTrend(first?.id ?? '');
    assert.equal(trend?.points.length, 12);
    const change = trend?.changes.find((entry) => entry.metric === 'payloads');
    assert.deepEqual([change?.previous, change?.latest, change?.change], [first?.previous, first?.latest, first?.change]);
  });

  test('a body that is not 1 to 24 whole months answers 400 naming months', async () => {
    for (const months of [0, 25, 'x', 1.5]) {
      const answer = await backfill({ months });
      assert.equal(answer.status, 400, `months ${String(months)}`);
      assert.equal(answer.body.error.code, 'validation_failed');
      assert.match(answer.body.error.message, /months/u);
    }
    assert.equal((await backfill({ month: 3 })).status, 400, 'an unknown field is refused');
  });

  test('Losant failing answers an error naming the month and the action, and changes no point', async () => {
    const before = await storedTrends();
    // The client tries twice (LOSANT_MAX_RETRIES 1): both fail.
    sim.injectFaults({ action: 'historicalSummaries', status: 500, count: 2 });
    const answer = await backfill({ months: 3 });
    assert.equal(answer.status, 502, answer.text);
    assert.equal(answer.body.error.code, 'losant_unavailable');
    assert.match(answer.body.error.message, new RegExp(`^Backfill stopped at ${addMonths(monthOf(now), -3)}: reading historicalSummaries`, 'u'));
    assert.match(answer.body.error.message, /HTTP 500/u);
    assert.deepEqual(await storedTrends(), before);
  });

  test('24 months are kept at most: a 24-month backfill fills them, with 13 and more past months from the simulator', async () => {
    const answer = await backfill({});
    assert.equal(answer.status, 200);
    assert.equal(answer.body.backfill.months.length, 12, 'twelve months unless asked');
    const full = await backfill({ months: 24 });
    assert.equal(full.status, 200);
    assert.deepEqual([full.body.backfill.organizations, full.body.backfill.points], [6, 144]);
    const oldest = addMonths(monthOf(now), -24);
    for (const trend of await trends()) {
      assert.equal(trend.points.length, 24);
      assert.equal(trend.points[0]?.month, oldest);
    }
    const older = await losantMonth(sim, oldest);
    const trend = (await trends())[0];
    assert.equal(trend?.points[0]?.billablePayloads, older.get(trend?.id ?? '')?.billablePayloads);
    assert.equal((await backfill({ months: 25 })).status, 400);
  });
});
