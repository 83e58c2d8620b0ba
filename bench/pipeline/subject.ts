/**
 * Subject of the pipeline bench, in its own process so its peak RSS is the pipeline's own:
 *   node --import tsx subject.ts <CSV URL> <data dir> <redis URL> <key prefix>
 * Builds the service as the worker process does (createService, role `worker`, default limits: the
 * same modules and Redis connections, the BullMQ worker built but not started, so not consuming),
 * stores a callback naming the URL, and runs the real
 * steps of a report job: download, archive, parse + summarize. Prints one JSON line
 * (PipelineRunResult).
 */
import { rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { archiveStep } from '../../src/jobs/steps/archive-step.js';
import { downloadStep } from '../../src/jobs/steps/download-step.js';
import { summaryStep } from '../../src/jobs/steps/summary-step.js';
import { createLogger } from '../../src/log.js';
import { waitUntilReady } from '../../src/redis.js';
import { buildCallbackInfo } from '../../src/reports/receive-callback.js';
import { generateId } from '../../src/reports/secrets.js';
import { createService } from '../../src/service.js';
import { deleteKeysWithPrefix } from '../lib/redis-prefix.js';
import type { PipelineRunResult } from './result.js';

const [url = '', dataDir = '', redisUrl = '', prefix = ''] = process.argv.slice(2);

const config = loadConfig('worker', {
  NODE_ENV: 'production',
  REDIS_URL: redisUrl,
  REDIS_PREFIX: prefix,
  LOSANT_INSTANCE_ID: 'a1b2c3d4e5f6a1b2c3d4e5f6',
  DATA_DIR: dataDir,
  DOWNLOAD_ALLOWED_HOSTS: '127.0.0.1',
  DOWNLOAD_ALLOWED_PORTS: '*',
  DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true',
});
// Logged as in production (info, JSON), to nowhere.
const logger = createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: false }) });
const service = await createService({ config, role: 'worker', overrides: { logger } });
await waitUntilReady(service.redis);
const { deps } = service.steps!;

const id = generateId('r');
const body = Buffer.from(JSON.stringify({ jobId: 'benchJob', status: 'completed', success: true, url }));
await service.store.create(
  {
    id,
    source: 'api',
    scheduleId: null,
    request: {},
    delivery: { email: false, archive: true, recipients: [] },
    seriesKey: `bench-${id}`,
    secretHash: null,
    status: 'callback_received',
    overdueAt: null,
    note: 'created by the pipeline benchmark',
  },
  { callback: { info: buildCallbackInfo({ body, contentType: 'application/json', headers: {} }, new Date()), body } },
);
const load = async () => {
  const record = await service.store.get(id);
  if (record === null) throw new Error('the record vanished');
  return record;
};

// Where memory peaks: RSS sampled every 20 ms, kept per step (the process's maxRSS is measured by the parent).
const rssByStep: Record<string, number> = { setup: process.memoryUsage.rss() / 1e6 };
let step = 'setup';
const sampler = setInterval(() => {
  rssByStep[step] = Math.max(rssByStep[step] ?? 0, process.memoryUsage.rss() / 1e6);
}, 20);
try {
  const t0 = performance.now();
  step = 'download';
  const fetched = await downloadStep(deps, await load(), new AbortController().signal);
  if (!fetched.done) throw new Error(`the download step ended the report: ${fetched.status}`);
  const t1 = performance.now();
  step = 'archive';
  await archiveStep(deps, await load());
  const t2 = performance.now();
  step = 'summarize';
  await summaryStep(deps, await load());
  const t3 = performance.now();
  clearInterval(sampler);
  const record = await load();
  if (record.summary === null || record.download === null || record.archive === null) throw new Error(`steps incomplete: ${record.status}`);
  const result: PipelineRunResult = {
    bytes: record.download.bytes,
    rows: record.summary.rows,
    payloadBillableSum: record.summary.totals.payloadBillableCount ?? Number.NaN,
    totalMs: t3 - t0,
    stepsMs: { download: t1 - t0, archive: t2 - t1, summarize: t3 - t2 },
    rssByStepMB: rssByStep,
  };
  console.log(JSON.stringify(result));
} finally {
  clearInterval(sampler);
  await deleteKeysWithPrefix(service.redis, prefix);
  await service.close();
  await rm(dataDir, { recursive: true, force: true });
}
