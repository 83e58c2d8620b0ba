import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { after, before, beforeEach, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import type { ReportInsights } from '../../src/insights/types.js';
import type { Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { deliverReport, startPipeline, type Pipeline } from '../helpers/pipeline.js';
import type { RunningService } from '../helpers/service.js';
import type { TestSmtpServer } from '../helpers/smtp.js';
import { signInUi } from '../helpers/ui-session.js';

const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
// Ten days of a thirty-day month, per day, by organization, with sandboxes (as Losant's counts are).
const OPTIONS = { resourceGroupBy: 'organization', dateGroupBy: 'day', includeSandbox: true } as const;
const RANGE = { start: '2026-11-01T00:00:00.000Z', end: '2026-11-10T23:59:59.999Z' };
const DEFAULT_PAYLOAD_LIMIT = 75_000_000;
// The organization the simulator puts over its limit has a name that must stay text wherever it is shown.
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';

let pipeline: Pipeline;
let sim: Simulator;
let smtp: TestSmtpServer;
let service: RunningService;

async function deliveredReport(): Promise<{ id: string; insights: ReportInsights; email: string; emailHtml: string }> {
  const { record, email } = await deliverReport({ sim, smtp, service }, { ...RANGE, ...OPTIONS, recipients: ['ops@example.com'] });
  const insights = record.summary?.insights;
  assert.ok(insights, 'insights are stored on the summary');
  return { id: record.id, insights, email: email?.text ?? '', emailHtml: typeof email?.html === 'string' ? email.html : '' };
}

/** Each organization's billable payloads in the report, summed from the CSV the simulator builds for the same options. */
async function payloadsByOrganization(): Promise<Map<string, number>> {
  const rows: Array<Record<string, string>> = parse(await text(sim.buildReportCsv({ ...RANGE, ...OPTIONS })), { columns: true, bom: true });
  const sums = new Map<string, number>();
  for (const row of rows) {
    if (row.resourceType !== 'organization') continue;
    const id = row.resourceId ?? '';
    sums.set(id, (sums.get(id) ?? 0) + Number(row.payloadBillableCount));
  }
  return sums;
}

/** The organizations' payload limits, read from the simulator's historicalSummaries directly. */
async function payloadLimits(): Promise<Map<string, number>> {
  const url = new URL(`/instances/${sim.instanceId}/historicalSummaries`, sim.url);
  url.search = new URLSearchParams({ month: String(Date.parse(RANGE.start)), filterField: 'resourceType', filter: 'organization' }).toString();
  const answer = (await (await fetch(url, { headers: { authorization: `Bearer ${sim.token}` } })).json()) as {
    items: Array<{ resourceId: string; limits: { payload: number } }>;
  };
  return new Map(answer.items.map((item) => [item.resourceId, item.limits.payload]));
}

describe('insights on delivered reports', () => {
  before(async () => {
    pipeline = await startPipeline({
      name: 'insights',
      sim: { organizationNames: [HOSTILE_NAME] },
      env: (started) => ({ INSIGHTS_LOSANT_API_TOKEN: started.token, LOSANT_MAX_RETRIES: '1' }),
    });
    ({ sim, smtp, service } = pipeline);
  });
  beforeEach(() => sim.setFaults({ limitScenario: RANGE, payloadCountsMismatch: null }));
  after(async () => {
    await pipeline?.stop();
  });

  test('organizations over and near their payload limit are flagged with the percentages computed from the report', async () => {
    const { id, insights, email, emailHtml } = await deliveredReport();
    const used = await payloadsByOrganization();
    const limits = await payloadLimits();
    const scenario = [...limits].filter(([, limit]) => limit !== DEFAULT_PAYLOAD_LIMIT);
    assert.equal(scenario.length, 3, 'the simulator set three organizations a payload limit');
    const percents = [];
    for (const [id, limit] of limits) {
      const finding = insights.limits.find((entry) => entry.scope === 'organization' && entry.id === id && entry.metric === 'payloads');
      assert.ok(finding, `a payload finding for ${id}`);
      const expected = Math.round(((used.get(id) ?? Number.NaN) / limit) * 1000) / 10;
      assert.deepEqual([finding.used, finding.limit, finding.percent], [used.get(id), limit, expected]);
      assert.equal(finding.level, expected > 100 ? 'over' : expected >= 80 ? 'warning' : 'ok');
      if (limit !== DEFAULT_PAYLOAD_LIMIT) percents.push(expected);
    }
    assert.deepEqual(
      percents.map((percent) => Math.round(percent)).sort((a, b) => a - b),
      [50, 85, 125],
    );
    assert.ok(insights.limits.some((finding) => finding.scope === 'instance' && finding.metric === 'payloads' && finding.limit !== null));
    assert.match(email, /USAGE AGAINST LIMITS/u);
    assert.match(email, /OVER/u);
    assert.match(email, /WARNING/u);
    assert.deepEqual(insights.unavailable, []);

    // The over-limit organization's hostile name stays text in the email and on the dashboard.
    const over = insights.limits.find((finding) => finding.metric === 'payloads' && finding.level === 'over');
    assert.equal(over?.name, HOSTILE_NAME);
    assert.ok(emailHtml.includes('&lt;img src=x onerror=alert(1)&gt;') && !emailHtml.includes('<img src=x'), 'escaped in the email');
    const page = await (await signInUi(service.url)).get(`/ui/reports/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h2 id="insights-title">Insights<\/h2>/u);
    assert.match(page.text, /<span class="badge badge-failed">OVER<\/span>/u);
    assert.match(page.text, /<span class="badge badge-overdue">WARNING<\/span>/u);
    assert.ok(page.text.includes('&lt;img src=x onerror=alert(1)&gt;') && !page.text.includes('<img src=x'), 'escaped on the dashboard');
  });

  test('month-end projections equal the daily rate times the days of the month, and the one projected past its limit is flagged', async () => {
    const { insights, email } = await deliveredReport();
    const used = await payloadsByOrganization();
    const limits = await payloadLimits();
    for (const [id, soFar] of used) {
      const projection = insights.projections.find((entry) => entry.id === id && entry.metric === 'payloads');
      assert.ok(projection, `a projection for ${id}`);
      const expected = Math.round((soFar / 10) * 30);
      assert.deepEqual([projection.daysCovered, projection.daysInMonth, projection.usedSoFar, projection.projected], [10, 30, soFar, expected]);
      const limit = limits.get(id) ?? Number.NaN;
      assert.equal(projection.level, expected > limit ? 'over' : expected >= 0.8 * limit ? 'warning' : 'ok');
    }
    // Half the limit used in a third of the month: projected over, though not over yet.
    const halfway = [...limits].find(([id, limit]) => Math.round(((used.get(id) ?? 0) / limit) * 100) === 50);
    assert.ok(halfway);
    assert.equal(insights.projections.find((entry) => entry.id === halfway[0] && entry.metric === 'payloads')?.level, 'over');
    assert.match(email, /MONTH-END PROJECTION/u);
  });

  test('a clean run reconciles with no flag; a day where Losant counts more payloads is flagged with both numbers', async () => {
    const clean = await deliveredReport();
    assert.ok(clean.insights.reconciliation);
    assert.ok(clean.insights.reconciliation.differences.length >= 30, 'ten days of three metrics compared');
    assert.deepEqual(
      clean.insights.reconciliation.differences.filter((difference) => difference.flagged),
      [],
    );
    assert.match(clean.email, /none differs/u);
    assert.ok((clean.insights.reconciliation.drivers[0]?.sources.length ?? 0) > 0, 'payload sources are named');

    sim.setFaults({ payloadCountsMismatch: { day: '2026-11-04', delta: 5_000 } });
    const { insights, email } = await deliveredReport();
    const flagged = insights.reconciliation?.differences.filter((difference) => difference.flagged) ?? [];
    assert.equal(flagged.length, 1);
    const [difference] = flagged;
    assert.ok(difference);
    assert.deepEqual([difference.metric, difference.period.start, difference.losant - difference.report], ['payloads', '2026-11-04T00:00:00.000Z', 5_000]);
    assert.ok(email.includes(difference.report.toLocaleString('en-US')) && email.includes(difference.losant.toLocaleString('en-US')), email);
  });

  test('when Losant fails after its retries the report is still delivered and says which insights are unavailable', async () => {
    sim.injectFaults({ action: 'get', status: 503, count: 2 });
    const { insights, email } = await deliveredReport();
    assert.deepEqual(insights.limits, []);
    const limits = insights.unavailable.find((entry) => entry.part === 'limits');
    assert.match(limits?.reason ?? '', /^Losant failed/u);
    assert.ok(insights.reconciliation, 'the parts that did not need the failed read are there');
    assert.match(email, /INSIGHTS UNAVAILABLE/u);
  });
});

describe('insights without Losant on the worker', () => {
  test('the report is delivered with its projections, and limits and reconciliation say why they are missing', async () => {
    const local = await startPipeline({ name: 'insights-off' });
    try {
      const response = await request(local.service.url)
        .post('/admin/reports')
        .set(auth)
        .send({ ...RANGE, ...OPTIONS, recipients: ['ops@example.com'] });
      assert.equal(response.status, 202);
      const record = await local.service.waitForStatus(response.body.report.id as string, ['delivered', 'failed', 'unrecognized']);
      assert.equal(record.status, 'delivered', JSON.stringify(record.error));
      const insights = record.summary?.insights;
      assert.ok(insights);
      assert.deepEqual(insights.unavailable.map((entry) => entry.part).sort(), ['limits', 'projection', 'reconciliation']);
      assert.ok(insights.unavailable.every((entry) => entry.reason.includes('INSIGHTS_LOSANT_API_TOKEN')));
      assert.ok(insights.projections.length > 0 && insights.projections.every((projection) => projection.level === 'unknown'));
      assert.equal(insights.losantCalls.count, 0);
      const [message] = await local.smtp.waitForMessages(1);
      assert.match(message?.parsed.text ?? '', /INSIGHTS UNAVAILABLE/u);
    } finally {
      await local.stop();
    }
  });
});
