import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { PNG } from 'pngjs';
import request from 'supertest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { DEFAULT_CHART_OPTIONS } from '../../src/delivery/report-chart.js';

const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const RANGE = { start: '2026-01-01T00:00:00Z', end: '2026-01-15T00:00:00Z', resourceGroupBy: 'organization', dateGroupBy: 'day' };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function requestReport(sim: Simulator, service: RunningService): Promise<string> {
  const previous = sim.jobs.at(-1);
  if (previous) await sim.waitForJob(previous.jobId, 20_000);
  const response = await request(service.url)
    .post('/admin/reports')
    .set(auth)
    .send({ ...RANGE, recipients: ['ops@example.com'] });
  assert.equal(response.status, 202, JSON.stringify(response.body));
  return response.body.report.id as string;
}

describe('the report email chart', () => {
  let sim: Simulator;
  let smtp: TestSmtpServer;
  let service: RunningService;
  let failing: RunningService;

  before(async () => {
    sim = await startSimulator({ reportDelayMs: 20 });
    smtp = await startTestSmtpServer();
    const env = { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, SMTP_URL: smtp.url };
    service = await startService({ name: 'chart', env });
    failing = await startService({
      name: 'chart-fails',
      env,
      worker: true,
      overrides: {
        drawChart: () => {
          throw new Error('cannot draw');
        },
      },
    });
  });
  after(async () => {
    await failing.stop();
    await service.stop();
    await smtp.close();
    await sim.close();
  });

  test('the delivered email carries a PNG chart by Content-ID, and the text part the same figures', async () => {
    const id = await requestReport(sim, service);
    const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    const messages = await smtp.waitForMessages(1);
    const message = messages.find((entry) => entry.parsed.messageId === `<report-${id}@report-relay>`);
    assert.ok(message);

    const chart = message.parsed.attachments.find((attachment) => attachment.contentType === 'image/png');
    assert.ok(chart, 'a PNG is attached');
    assert.ok(chart.cid, 'it has a Content-ID');
    assert.equal(chart.content.subarray(0, 8).compare(PNG_SIGNATURE), 0, 'PNG signature');
    // IHDR is the first chunk: length (4), type (4), then width and height, big-endian.
    assert.equal(chart.content.subarray(12, 16).toString('latin1'), 'IHDR');
    assert.equal(chart.content.readUInt32BE(16), DEFAULT_CHART_OPTIONS.width);
    assert.equal(chart.content.readUInt32BE(20), DEFAULT_CHART_OPTIONS.height);
    const decoded = PNG.sync.read(chart.content);
    assert.equal(decoded.width, DEFAULT_CHART_OPTIONS.width);
    assert.equal(decoded.height, DEFAULT_CHART_OPTIONS.height);
    // Not a blank picture: some pixels are not white.
    let inked = 0;
    for (let offset = 0; offset < decoded.data.length; offset += 4) if (decoded.data[offset] !== 255) inked += 1;
    assert.ok(inked > 1000, `${inked} pixels drawn`);

    // By default mailparser turns cid: references into data: URLs; keepCidLinks shows the HTML as sent.
    const asSent = await simpleParser(message.raw, { keepCidLinks: true });
    assert.ok(String(asSent.html).includes(`src="cid:${chart.cid}"`), 'the HTML shows the chart by its Content-ID');
    assert.match(String(asSent.html), /<img [^>]*alt="Chart of [^"]+"/u);

    const text = message.parsed.text ?? '';
    const series = record.summary?.periodSeries;
    assert.ok(series && series.starts.length > 1);
    assert.match(text, /PER PERIOD/u);
    for (const start of series.starts) assert.ok(text.includes(start.slice(0, 10)), `text names ${start.slice(0, 10)}`);
    const [firstColumn] = Object.values(series.columns);
    const figure = firstColumn?.find((value) => value !== null);
    assert.ok(figure !== undefined && figure !== null);
    assert.ok(text.includes(figure.toLocaleString('en-US')), `text carries ${figure}`);
  });

  test('a chart that cannot be drawn leaves the email without it, delivered all the same', async () => {
    const id = await requestReport(sim, failing);
    const record = await failing.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    const messages = await smtp.waitForMessages(2);
    const message = messages.find((entry) => entry.parsed.messageId === `<report-${id}@report-relay>`);
    assert.ok(message);
    assert.equal(message.parsed.attachments.filter((attachment) => attachment.contentType === 'image/png').length, 0);
    assert.doesNotMatch(String(message.parsed.html), /cid:/u);
  });
});
