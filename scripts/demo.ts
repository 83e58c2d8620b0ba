/**
 * One-command demo: starts the Losant simulator and report-relay (web + worker) on loopback,
 * requests a report through the admin API, waits until it is delivered, and prints the summary
 * and where the email and the archived CSV are. `--keep` leaves both running afterwards.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import type { ReportRecord } from '../src/reports/record.js';
import { createService } from '../src/service.js';
import { startSimulator } from '../src/sim/index.js';

const keep = process.argv.includes('--keep');
const adminToken = randomBytes(24).toString('hex');
const dataDir = resolve(process.env.DATA_DIR ?? 'data/demo');

const sim = await startSimulator({ reportDelayMs: 500 });
const server = createServer();
await new Promise<void>((done) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', done));
const port = (server.address() as AddressInfo).port;
const publicUrl = `http://127.0.0.1:${port}`;

const config = loadConfig('all', {
  ...process.env,
  NODE_ENV: 'development',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  PUBLIC_URL: publicUrl,
  ADMIN_TOKEN: adminToken,
  LOSANT_API_URL: sim.url,
  LOSANT_API_TOKEN: sim.token,
  LOSANT_INSTANCE_ID: sim.instanceId,
  REDIS_PREFIX: process.env.REDIS_PREFIX ?? 'report-relay-demo',
  DATA_DIR: dataDir,
  REPORT_EMAIL_TO: process.env.REPORT_EMAIL_TO ?? 'billing@example.com',
  DOWNLOAD_ALLOWED_HOSTS: '127.0.0.1',
  DOWNLOAD_ALLOWED_PORTS: '*',
  DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true',
});
const logger = createLogger({ level: config.logLevel, name: 'report-relay:demo' });
const service = await createService({ config, role: 'all', overrides: { logger, server }, redisReadyTimeoutMs: 5_000 });
try {
  await service.start();
} catch (error) {
  console.error(`${(error as Error).message}\nStart one with: bash scripts/ensure-redis.sh`);
  await service.close();
  await sim.close();
  process.exit(1);
}

console.log(`Losant simulator  ${sim.url}  (instance ${sim.instanceId})`);
console.log(`report-relay      ${publicUrl}  (admin token ${adminToken})`);
console.log(`mail              ${service.steps?.mailer.description ?? 'none'}`);

const month = new Date();
const start = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() - 1, 1));
// Losant-style ranges include the bucket that holds `end`, so end on the month's last millisecond.
const end = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), 1) - 1);
const body = { start: start.toISOString(), end: end.toISOString(), resourceGroupBy: 'organization', dateGroupBy: 'day' };
console.log(`\nPOST /admin/reports ${JSON.stringify(body)}`);
const answer = await fetch(`${publicUrl}/admin/reports`, {
  method: 'POST',
  headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});
const created = (await answer.json()) as { report: ReportRecord };
console.log(`-> ${answer.status}, report ${created.report.id}, Losant job ${created.report.losant.jobId ?? '?'}`);

const deadline = Date.now() + 60_000;
let record: ReportRecord | null = null;
while (Date.now() < deadline) {
  record = await service.store.get(created.report.id);
  if (record && ['delivered', 'failed', 'unrecognized'].includes(record.status)) break;
  await new Promise((done) => setTimeout(done, 200));
}
if (record?.status !== 'delivered' || record.summary === null) {
  console.error(`\nThe report did not get delivered: ${JSON.stringify(record?.error ?? record?.status)}`);
  process.exitCode = 1;
} else {
  const { summary } = record;
  console.log(`\nDelivered. History: ${record.history.map((entry) => entry.status).join(' -> ')}`);
  console.log(
    `Rows ${summary.rows} (${summary.badRowCount} bad), ${summary.resourceCount} ${summary.grouping.resource}s, ${summary.period.start} .. ${summary.period.end}`,
  );
  const main = ['payloadBillableCount', 'deviceCount', 'notebookMinutesCount'].filter((column) => column in summary.totals);
  const per = summary.grouping.date === 'unknown' ? 'period' : summary.grouping.date;
  for (const column of main) {
    const level = Object.hasOwn(summary.levels, column) ? summary.levels[column] : undefined;
    if (level) {
      const on = level.peakPeriod === null ? '' : ` on ${level.peakPeriod.slice(0, 10)}`;
      console.log(`  ${column}: peak ${level.peak.toLocaleString('en-US')} per ${per}${on}, latest ${level.latest.toLocaleString('en-US')}`);
    } else console.log(`  total ${column}: ${summary.totals[column]?.toLocaleString('en-US')}`);
  }
  if (summary.levelsUnavailable) console.log(`  levels not computed: ${summary.levelsUnavailable}`);
  for (const list of summary.top.slice(0, 1)) {
    console.log(`Top by ${list.label}:`);
    for (const entry of list.entries.slice(0, 5))
      console.log(`  ${entry.name.padEnd(32)} ${entry.value.toLocaleString('en-US').padStart(14)}  ${(entry.share * 100).toFixed(1)}%`);
  }
  console.log(`\nEmail:        ${record.email?.outboxPath ?? `sent, Message-ID ${record.email?.messageId ?? '?'}`}`);
  console.log(`Archived CSV: ${record.archive?.csv.location ?? '(not archived)'}`);
  console.log(`Summary JSON: ${record.archive?.summary?.location ?? '(not archived)'}`);
}

if (keep && process.exitCode !== 1) {
  console.log(`\nStill running (Ctrl-C to stop). Try:\n  curl -H 'Authorization: Bearer ${adminToken}' ${publicUrl}/admin/reports`);
  await new Promise<void>((done) => process.once('SIGINT', () => done()));
}
server.closeAllConnections();
await service.close();
await sim.close();
