/**
 * One-command demo (`npm run demo`): starts the Losant simulator and report-relay (web + worker) on
 * loopback, backfills the organizations' past months, requests this month's report so far through
 * the admin API, waits until it is delivered,
 * and prints the summary, its insights and where the email and the archived CSV are. Exits 0 once the report is
 * delivered, 1 with the reason when it is not (failed, not understood, or not delivered in time).
 *
 * Options: --keep leaves both running after the delivery, answering the admin API and the dashboard (/ui), until Ctrl-C or
 * SIGTERM (then exits 0); --timeout <seconds> is how long to wait for the delivery (default 60).
 * Settings come from the environment as for the service (config/example.env), except those the demo
 * chooses: PORT defaults to any free port, REDIS_PREFIX to report-relay-demo, DATA_DIR to data/demo,
 * REPORT_EMAIL_TO to billing@example.com. test/integration/demo.test.ts runs it as a user does.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig, type ConfigFor } from '../src/config.js';
import { errorMessage } from '../src/errors.js';
import { errorAnswerSchema } from '../src/http/contract/admin-answers.js';
import { createLogger } from '../src/log.js';
import type { ReportRecord, ReportStatus } from '../src/reports/record.js';
import { createService, type Service } from '../src/service.js';
import { startSimulator } from '../src/sim/index.js';
import { deliveredLines, notDeliveredLines, demoRange } from './demo-report-lines.js';

function usage(message: string): never {
  console.error(`${message}\nUsage: npm run demo -- [--keep] [--timeout <seconds>]`);
  process.exit(2);
}

let options: { keep?: boolean; timeout?: string };
try {
  ({ values: options } = parseArgs({ options: { keep: { type: 'boolean' }, timeout: { type: 'string' } } }));
} catch (error) {
  usage(errorMessage(error));
}
const timeoutSeconds = Number(options.timeout ?? 60);
if (!(timeoutSeconds > 0)) usage(`--timeout must be a number of seconds above 0, got "${options.timeout ?? ''}"`);

// The first Ctrl-C or SIGTERM stops the demo in order (whatever it is doing), a second one at once.
const stop = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (stop.signal.aborted) process.exit(1);
  stop.abort(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const adminToken = randomBytes(24).toString('hex');
const dataDir = resolve(process.env.DATA_DIR ?? 'data/demo');
const range = demoRange(new Date());
// Three organizations near, over and heading over their payload limit in the reported days, so
// the email's insights have something to show (src/sim/README.md, limitScenario).
const sim = await startSimulator({
  reportDelayMs: 500,
  faults: { limitScenario: { start: range.start.toISOString(), end: range.end.toISOString() } },
});
const server = createServer();
try {
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', done);
  });
} catch (error) {
  console.error(`report-relay cannot listen on 127.0.0.1:${process.env.PORT ?? 0}: ${errorMessage(error)}`);
  await sim.close();
  process.exit(1);
}
// as: a server listening on a TCP port has an AddressInfo address.
const publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

let config: Readonly<ConfigFor<'all'>>;
try {
  config = loadConfig('all', {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PUBLIC_URL: publicUrl,
    ADMIN_TOKEN: adminToken,
    LOSANT_API_URL: sim.url,
    LOSANT_API_TOKEN: sim.token,
    INSIGHTS_LOSANT_API_TOKEN: sim.token,
    LOSANT_INSTANCE_ID: sim.instanceId,
    REDIS_PREFIX: process.env.REDIS_PREFIX ?? 'report-relay-demo',
    DATA_DIR: dataDir,
    REPORT_EMAIL_TO: process.env.REPORT_EMAIL_TO ?? 'billing@example.com',
    DOWNLOAD_ALLOWED_HOSTS: '127.0.0.1',
    DOWNLOAD_ALLOWED_PORTS: '*',
    DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true',
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  server.close();
  await sim.close();
  process.exit(1);
}
// Log lines go to stderr, so what the demo prints on stdout stays readable.
const logger = createLogger({ level: config.logLevel, name: 'report-relay:demo', destination: process.stderr });
const service = await createService({ config, role: 'all', overrides: { logger, server }, redisReadyTimeoutMs: 5_000 });

async function closeAll(): Promise<void> {
  server.closeAllConnections();
  await service.close(config.shutdownTimeoutMs);
  await sim.close();
}

try {
  await service.start();
} catch (error) {
  console.error(`${errorMessage(error)}\nStart one with: bash scripts/ensure-redis.sh`);
  await closeAll();
  process.exit(1);
}

console.log(`Losant simulator  ${sim.url}  (instance ${sim.instanceId})`);
console.log(`report-relay      ${publicUrl}`);
console.log(`admin token       ${adminToken}  (made for this run: send it as "Authorization: Bearer <token>")`);
console.log(`dashboard         ${publicUrl}/ui  (sign in by pasting the admin token above)`);
console.log(
  `mail              ${config.worker.mail.smtpUrl === undefined ? `.eml files in ${join(config.dataDir, 'outbox')} (SMTP_URL is not set)` : `sent through ${service.steps?.mailer.description ?? '?'}`}`,
);
console.log(`data              ${config.dataDir}, Redis keys under ${config.redis.prefix}:`);

/** The report's id, or null when the request was refused (said on stderr) or the demo was stopped. */
async function requestReport(): Promise<string | null> {
  const body = {
    start: range.start.toISOString(),
    end: range.end.toISOString(),
    resourceGroupBy: 'organization',
    dateGroupBy: 'day',
    // Losant's own counts include sandbox applications: with them the report can be reconciled.
    includeSandbox: true,
  };
  console.log(`\nPOST /admin/reports ${JSON.stringify(body)}`);
  let answer: Response;
  try {
    answer = await fetch(`${publicUrl}/admin/reports`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: stop.signal,
    });
  } catch (error) {
    if (stop.signal.aborted) return null;
    throw error;
  }
  const json: unknown = await answer.json();
  if (answer.status !== 202) {
    const refusal = errorAnswerSchema.safeParse(json);
    console.error(`-> ${answer.status}: ${refusal.success ? `${refusal.data.error.code}: ${refusal.data.error.message}` : JSON.stringify(json)}`);
    return null;
  }
  const { report } = z.object({ report: z.object({ id: z.string(), losant: z.object({ jobId: z.string().nullable() }) }) }).parse(json);
  console.log(`-> ${answer.status}, report ${report.id}, Losant job ${report.losant.jobId ?? '?'}`);
  return report.id;
}

const RUN_ENDS: readonly ReportStatus[] = ['delivered', 'failed', 'unrecognized'];

/** The report once its run ends, or as it stands when the deadline passes or the demo is stopped. */
async function waitForOutcome(store: Service['store'], reportId: string): Promise<ReportRecord | null> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const record = await store.get(reportId);
    if ((record && RUN_ENDS.includes(record.status)) || Date.now() >= deadline || stop.signal.aborted) return record;
    await sleep(200, undefined, { signal: stop.signal }).catch(() => undefined);
  }
}

/**
 * Fills the organizations' past months from the simulator's historicalSummaries, as a new
 * installation would, so the report's email already names the month-over-month movers. A refusal
 * is said on stderr and the demo goes on: the report does not need it.
 */
async function backfillTrends(): Promise<void> {
  const body = { months: 12 };
  console.log(`\nPOST /admin/insights/backfill ${JSON.stringify(body)}`);
  let answer: Response;
  try {
    answer = await fetch(`${publicUrl}/admin/insights/backfill`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: stop.signal,
    });
  } catch (error) {
    if (stop.signal.aborted) return;
    throw error;
  }
  const json: unknown = await answer.json();
  const done = z.object({ backfill: z.object({ months: z.array(z.unknown()), organizations: z.number(), points: z.number() }) }).safeParse(json);
  if (answer.status !== 200 || !done.success) {
    const refusal = errorAnswerSchema.safeParse(json);
    console.error(`-> ${answer.status}: ${refusal.success ? `${refusal.data.error.code}: ${refusal.data.error.message}` : JSON.stringify(json)}`);
    return;
  }
  const { backfill } = done.data;
  console.log(`-> ${answer.status}, ${backfill.months.length} months, ${backfill.organizations} organizations, ${backfill.points} monthly points`);
}

let delivered = false;
if (!stop.signal.aborted) await backfillTrends();
const reportId = stop.signal.aborted ? null : await requestReport();
if (reportId !== null) {
  console.log(`Waiting up to ${timeoutSeconds} s for the delivery`);
  const record = await waitForOutcome(service.store, reportId);
  delivered = record?.status === 'delivered';
  if (delivered && record) console.log(`\n${deliveredLines(record).join('\n')}`);
  else if (!stop.signal.aborted) {
    console.error(`\n${record ? notDeliveredLines(record, timeoutSeconds).join('\n') : `Report ${reportId} is not in Redis under ${config.redis.prefix}.`}`);
  }
}
if (!delivered && stop.signal.aborted) console.error(`\nStopped (${String(stop.signal.reason)}) before the report was delivered.`);

if (delivered && options.keep && !stop.signal.aborted) {
  console.log(`\nStill running; stop with Ctrl-C. Try the admin API:`);
  console.log(`  curl -H 'Authorization: Bearer ${adminToken}' ${publicUrl}/admin/reports`);
  console.log(`or open the dashboard at ${publicUrl}/ui and paste the admin token ${adminToken}`);
  await once(stop.signal, 'abort');
}
process.exitCode = delivered ? 0 : 1;
await closeAll();
