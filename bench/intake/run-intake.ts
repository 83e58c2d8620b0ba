import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { processJobId, REPORT_QUEUE } from '../../src/jobs/queue.js';
import { generateId, generateSecret } from '../../src/reports/secrets.js';
import { createReportStore } from '../../src/reports/store.js';
import { runChild } from '../lib/child.js';
import { freePort } from '../lib/free-port.js';
import { benchPrefix, deleteKeysWithPrefix } from '../lib/redis-prefix.js';
import { callbackBody, createAwaitingReports } from '../lib/report-records.js';
import type { ServerProcess } from '../lib/server-process.js';
import { combined, isService, startIntakeServer } from './intake-server.js';
import type { IntakeLoadResult, IntakeTarget } from './load.js';
import { redisCpuSeconds } from '../lib/redis-cpu.js';
import { measureScrapeCost, type ScrapeCost } from './scrape-cost.js';

const loadScript = fileURLToPath(new URL('./load.ts', import.meta.url));

/**
 * subject: the service; scraped: the service with its /metrics scraped during the load; baseline:
 * the bare handler; store-only: the bare handler doing the service's Redis work.
 */
export type IntakeSide = 'subject' | 'scraped' | 'baseline' | 'store-only';

/** Sides whose callbacks go to real report records (created through the store, checked as such). */
const usesRecords = (side: IntakeSide) => side !== 'baseline';

export interface IntakeSettings {
  repoDir: string;
  tmpDir: string;
  redis: Redis;
  redisUrl: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** Extra node flags for the server process (e.g. --cpu-prof). */
  serverNodeArgs: string[];
  /** METRICS_TOKEN for the service's process (both service sides): /metrics is served. */
  metricsToken?: string;
  /** The scraped side: how often /metrics is fetched during the load (default 1000 ms). */
  scrapeEveryMs?: number;
  /** The scraped side: scrapes in a row after the load to measure the CPU one takes (0: none). */
  scrapeCostSamples?: number;
  /** Service sides: how many web processes share the load (default 1; connections go round-robin). */
  webProcesses?: number;
  /** Service sides: more settings for the service's process (e.g. REDIS_WAIT_REPLICAS). */
  serviceEnv?: Record<string, string>;
}

/** What Redis holds after a run, checked against the 202 answers. */
export interface IntakeAudit {
  /** 202 answers the load generator saw (warm-up included). */
  accepted: number;
  /** Of those, how many lack their stored body, record status or queued job: must be 0. */
  acceptedButMissing: number;
  /** Callbacks stored (subject: records in callback_received; baseline: bodies). */
  stored: number;
  /** Jobs waiting in the queue (no worker runs). */
  queued: number;
}

export interface IntakeRun {
  load: IntakeLoadResult;
  audit: IntakeAudit;
  poolSize: number;
  /** Server CPU time per answered request over the whole load (warm-up included); null off Linux. */
  serverCpuMicrosPerRequest: number | null;
  /** Redis CPU time (INFO cpu) per answered request over the same span: Redis shares the machine's CPUs. */
  redisCpuMicrosPerRequest: number;
  /** The scraped side: scrapes answered 200 during the load, and their median time. */
  scrapes?: { count: number; failed: number; medianMs: number };
  /** The scraped side: CPU per scrape, measured after the load (see scrape-cost.ts). */
  scrapeCost?: ScrapeCost;
}

/**
 * Fetches /metrics every `everyMs` until stopped, as Prometheus would (one scrape at a time, the
 * next one `everyMs` after the previous one started).
 */
function startScraping(url: string, token: string, everyMs: number): () => Promise<NonNullable<IntakeRun['scrapes']>> {
  const times: number[] = [];
  let failed = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      try {
        const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
        await response.text();
        if (response.status === 200) times.push(performance.now() - started);
        else failed += 1;
      } catch {
        failed += 1;
      }
      const wait = everyMs - (performance.now() - started);
      if (wait > 0 && !stopped) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    const sorted = [...times].sort((a, b) => a - b);
    return { count: times.length, failed, medianMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN };
  };
}

const DOWNLOAD_HOST = 'https://files.onlosant.com/instance-usage';

/** Subject: real report records, created through the store, each with its own secret. */
async function subjectTargets(redis: Redis, prefix: string, count: number): Promise<IntakeTarget[]> {
  const store = createReportStore(redis, { prefix, retentionDays: 1 });
  const reports = await createAwaitingReports(store, count, { recipients: ['billing@example.com'] });
  return reports.map((report) => ({ path: report.callbackPath, body: callbackBody(report, `${DOWNLOAD_HOST}/${report.id}.csv`) }));
}

/** Baseline: one key per report holding its secret, the least a hand-written receiver needs. */
async function baselineTargets(redis: Redis, prefix: string, count: number): Promise<IntakeTarget[]> {
  const targets: IntakeTarget[] = [];
  for (let start = 0; start < count; start += 5000) {
    const batch = redis.pipeline();
    for (let i = start; i < Math.min(count, start + 5000); i++) {
      const id = generateId('r');
      const secret = generateSecret();
      batch.set(`${prefix}:baseline:${id}`, secret, 'EX', 86_400);
      targets.push({ path: `/callbacks/r/${id}/${secret}`, body: callbackBody({ id, jobId: `job${i}` }, `${DOWNLOAD_HOST}/${id}.csv`) });
    }
    await batch.exec();
  }
  return targets;
}

async function audit(side: IntakeSide, redis: Redis, prefix: string, accepted: readonly string[]): Promise<IntakeAudit> {
  let missing = 0;
  for (let start = 0; start < accepted.length; start += 5000) {
    const ids = accepted.slice(start, start + 5000);
    const batch = redis.pipeline();
    for (const id of ids) {
      if (usesRecords(side)) {
        batch.hget(`${prefix}:report:${id}`, 'status');
        batch.exists(`${prefix}:report:${id}:callback-body`);
      } else {
        batch.exists(`${prefix}:baseline:${id}:body`);
      }
      batch.exists(`${prefix}:${REPORT_QUEUE}:${processJobId(id, 1)}`);
    }
    const replies = (await batch.exec()) ?? [];
    const per = usesRecords(side) ? 3 : 2;
    for (let i = 0; i < ids.length; i++) {
      const values = replies.slice(i * per, (i + 1) * per).map(([error, value]) => (error ? null : value));
      const ok = usesRecords(side) ? values[0] === 'callback_received' && values[1] === 1 && values[2] === 1 : values[0] === 1 && values[1] === 1;
      if (!ok) missing++;
    }
  }
  const queue = new Queue(REPORT_QUEUE, { connection: redis.duplicate(), prefix });
  try {
    const queued = await queue.getWaitingCount();
    let stored: number;
    if (usesRecords(side)) {
      stored = await redis.zcard(`${prefix}:reports:status:callback_received`);
    } else {
      stored = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:baseline:*:body`, 'COUNT', 5000);
        cursor = next;
        stored += keys.length;
      } while (cursor !== '0');
    }
    return { accepted: accepted.length, acceptedButMissing: missing, stored, queued };
  } finally {
    await queue.close();
    await queue.disconnect();
  }
}

/**
 * One run of one side: fresh key prefix and records, a fresh server process, the load from
 * another process, then the audit of Redis and the clean-up of every key of the run.
 */
export async function runIntake(side: IntakeSide, poolSize: number, settings: IntakeSettings, run: number): Promise<IntakeRun> {
  const { redis } = settings;
  const prefix = benchPrefix(`intake-${side.slice(0, 4)}`);
  const targetsFile = join(settings.tmpDir, `${side}-targets.json`);
  const acceptedFile = join(settings.tmpDir, `${side}-accepted.json`);
  try {
    const targets = usesRecords(side) ? await subjectTargets(redis, prefix, poolSize) : await baselineTargets(redis, prefix, poolSize);
    await writeFile(targetsFile, JSON.stringify(targets));

    const count = isService(side) ? (settings.webProcesses ?? 1) : 1;
    const servers: ServerProcess[] = [];
    const bases: string[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const port = await freePort();
        bases.push(`http://127.0.0.1:${port}`);
        servers.push(await startIntakeServer(side, port, prefix, settings, `${side}-${run}${count > 1 ? `-${i}` : ''}`));
      }
    } catch (error) {
      await Promise.all(servers.map((server) => server.stop()));
      throw error;
    }
    const base = bases[0]!;
    const server = combined(servers);
    let load: IntakeLoadResult;
    const cpuBefore = server.cpuSeconds();
    const redisCpuBefore = await redisCpuSeconds(redis);
    let cpuAfter: number | null = null;
    let redisCpuAfter = Number.NaN;
    let scrapes: IntakeRun['scrapes'];
    let scrapeCost: ScrapeCost | undefined;
    const stopScraping =
      side === 'scraped' && settings.metricsToken !== undefined
        ? startScraping(`${base}/metrics`, settings.metricsToken, settings.scrapeEveryMs ?? 1000)
        : null;
    try {
      const child = await runChild<IntakeLoadResult>(loadScript, [
        bases.join(','),
        targetsFile,
        String(settings.connections),
        String(settings.seconds),
        String(settings.warmupSeconds),
        acceptedFile,
      ]);
      load = child.json;
      scrapes = await stopScraping?.();
      cpuAfter = server.cpuSeconds();
      redisCpuAfter = await redisCpuSeconds(redis);
      if (side === 'scraped' && settings.metricsToken !== undefined && (settings.scrapeCostSamples ?? 0) > 0)
        scrapeCost = await measureScrapeCost(`${base}/metrics`, settings.metricsToken, server, redis, settings.scrapeCostSamples ?? 0);
    } finally {
      await stopScraping?.();
      await server.stop();
    }
    const accepted = JSON.parse(await readFile(acceptedFile, 'utf8')) as string[];
    const answered = Object.values(load.statuses).reduce((total, count) => total + count, 0);
    const serverCpuMicrosPerRequest = cpuBefore === null || cpuAfter === null || answered === 0 ? null : ((cpuAfter - cpuBefore) * 1e6) / answered;
    const redisCpuMicrosPerRequest = answered === 0 ? Number.NaN : ((redisCpuAfter - redisCpuBefore) * 1e6) / answered;
    return {
      load,
      audit: await audit(side, redis, prefix, accepted),
      poolSize,
      serverCpuMicrosPerRequest,
      redisCpuMicrosPerRequest,
      ...(scrapes === undefined ? {} : { scrapes }),
      ...(scrapeCost === undefined ? {} : { scrapeCost }),
    };
  } finally {
    await deleteKeysWithPrefix(redis, prefix);
  }
}
