import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import { cpuUsage } from 'node:process';
import { Redis } from 'ioredis';
import { redisKeys } from '../../src/redis-keys.js';
import { createReportStore } from '../../src/reports/store.js';
import { startSmtpSink } from '../e2e/smtp-sink.js';
import type { BenchCase, Table } from '../lib/case.js';
import { checkEquals } from '../lib/checks.js';
import { startFileServer } from '../lib/file-server.js';
import { freePort } from '../lib/free-port.js';
import { compare, measureInterleaved, type Metrics } from '../lib/measure.js';
import { benchPrefix, deleteKeysWithPrefix } from '../lib/redis-prefix.js';
import { cachedReportCsv } from '../lib/report-file-cache.js';
import { callbackBody, createAwaitingReports } from '../lib/report-records.js';
import { redisCpuSeconds } from '../lib/redis-cpu.js';
import { formatNumber } from '../lib/report.js';
import { startServerProcess, type ServerProcess } from '../lib/server-process.js';
import { benchServiceEnv, processDataDir } from '../lib/service-env.js';
import { workerCommand } from '../lib/worker-command.js';
import { benchRedisUrl } from '../lib/redis-url.js';

/**
 * Target: report throughput grows with worker processes. The same batch of large reports (20 of
 * 15 MB by default) is called back at once to one web process, and delivered by 1 or by 2 worker
 * processes, each with its own data folder as on separate hosts; on 2 CPUs, 2 workers should
 * deliver at least 1.6 times as many reports a second as one.
 */

const ONE = '1 worker process';
const TWO = '2 worker processes';

interface Fleet {
  webUrl: string;
  web: ServerProcess;
  workers: ServerProcess[];
  processes: ServerProcess[];
}

/** CPU seconds used so far, per part of the bench: the worker processes, and everything else on the machine's side of the run. */
interface CpuReading {
  workers: number;
  web: number;
  redis: number;
  /** This process: the SMTP sink and the file server the workers download from. */
  harness: number;
}

async function readCpu(fleet: Fleet, redis: Redis): Promise<CpuReading> {
  const seconds = (child: ServerProcess) => {
    const value = child.cpuSeconds();
    if (value === null) throw new Error(`no CPU figure for process ${child.pid}`);
    return value;
  };
  const own = cpuUsage();
  return {
    workers: fleet.workers.reduce((sum, child) => sum + seconds(child), 0),
    web: seconds(fleet.web),
    redis: await redisCpuSeconds(redis),
    harness: (own.user + own.system) / 1e6,
  };
}

const scaleWorkersCase: BenchCase = {
  description: 'Report throughput with 1 and 2 worker processes: a batch of large reports called back at once, from the first callback to the last delivery',
  defaults: { runs: 3, warmup: 1 },
  options: ['--reports N      reports per run (default 20)', '--mb N           size of each report CSV in MB (default 15)'],

  async run({ args, runs, warmup, tmpDir, repoDir, log }) {
    const reportCount = args.number('reports', 20, { min: 1, integer: true });
    const mb = args.number('mb', 15, { min: 1 });
    const redisUrl = benchRedisUrl();
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    const csv = await cachedReportCsv(mb, { log });
    const files = await startFileServer([csv.path]);
    const sink = await startSmtpSink();
    const worker = await workerCommand(repoDir);
    const failures: string[] = [];

    /** One web process and `workers` worker processes on a fresh prefix, as the Procfile runs them. */
    const startFleet = async (prefix: string, workers: number, run: number): Promise<Fleet> => {
      const processes: ServerProcess[] = [];
      try {
        const webPort = await freePort();
        const env = (name: string, port: number, extra: Record<string, string> = {}) =>
          benchServiceEnv({ port, prefix, redisUrl, smtpUrl: sink.url, dataDir: processDataDir(tmpDir, `${run}-${name}`), extra });
        const web = await startServerProcess(join(repoDir, 'src/web.ts'), [], {
          cwd: repoDir,
          readyUrl: `http://127.0.0.1:${webPort}/healthz`,
          env: env('web', webPort),
        });
        processes.push(web);
        const workerProcesses: ServerProcess[] = [];
        for (let i = 0; i < workers; i++) {
          const healthPort = await freePort();
          const workerProcess = await startServerProcess(join(repoDir, 'src/worker.ts'), [], {
            cwd: repoDir,
            readyUrl: `http://127.0.0.1:${healthPort}/readyz`,
            nodeArgs: worker.nodeArgs,
            env: { ...env(`worker-${i}`, webPort, { WORKER_HEALTH_PORT: String(healthPort) }), ...worker.env },
          });
          processes.push(workerProcess);
          workerProcesses.push(workerProcess);
        }
        return { webUrl: `http://127.0.0.1:${webPort}`, web, workers: workerProcesses, processes };
      } catch (error) {
        await Promise.all(processes.map((child) => child.stop()));
        throw error;
      }
    };

    const side =
      (workers: number) =>
      async (run: number): Promise<Metrics> => {
        const prefix = benchPrefix(`scale-w${workers}`);
        const fleet = await startFleet(prefix, workers, run);
        try {
          const store = createReportStore(redis, { prefix, retentionDays: 1 });
          const reports = await createAwaitingReports(store, reportCount, { recipients: ['billing@example.com'] });
          const keys = redisKeys(prefix).reports;
          const cpuBefore = await readCpu(fleet, redis);
          const started = performance.now();
          await Promise.all(
            reports.map(async (report) => {
              const response = await fetch(`${fleet.webUrl}${report.callbackPath}`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: callbackBody(report, files.urlOf(csv.path)),
              });
              await response.arrayBuffer();
              if (response.status !== 202) throw new Error(`the callback of ${report.id} was answered ${response.status}`);
            }),
          );
          let ended = 0;
          while (ended < reportCount) {
            await new Promise((resolve) => setTimeout(resolve, 25));
            ended = (await redis.zcard(keys.byStatus('delivered'))) + (await redis.zcard(keys.byStatus('failed')));
          }
          const seconds = (performance.now() - started) / 1000;
          const cpuAfter = await readCpu(fleet, redis);
          const used = (part: keyof CpuReading) => cpuAfter[part] - cpuBefore[part];
          const otherCpu = used('web') + used('redis') + used('harness');
          const failed = await redis.zcard(keys.byStatus('failed'));
          if (failed > 0) failures.push(`${workers} worker(s), run ${run}: ${failed} failed`);
          log(`run ${run} ${workers} worker(s): ${reportCount} reports in ${seconds.toFixed(1)} s (${failed} failed)`);
          return {
            'reports/s': reportCount / seconds,
            'MB/s': (reportCount * csv.bytes) / 1e6 / seconds,
            seconds,
            failed,
            'worker CPU s/report': used('workers') / reportCount,
            'other CPU s/report': otherCpu / reportCount,
            'cores busy (workers)': used('workers') / seconds,
            'cores busy (all)': (used('workers') + otherCpu) / seconds,
          };
        } finally {
          await Promise.all(fleet.processes.map((child) => child.stop()));
          await deleteKeysWithPrefix(redis, prefix);
        }
      };

    let measured;
    try {
      measured = await measureInterleaved({ [ONE]: side(1), [TWO]: side(2) }, { runs, warmup });
    } finally {
      await files.close();
      await sink.close();
      await redis.quit();
    }
    const one = measured[ONE]!;
    const two = measured[TWO]!;
    const median = (side: typeof one, metric: string) => side.summary[metric]?.median ?? Number.NaN;
    // Throughput is bounded by the CPU the machine has: what one worker's run keeps busy already
    // (its own threads for gzip and hashing, plus the web process, Redis and this harness) leaves
    // only the rest of the cores to a second process.
    const cores = availableParallelism();
    const ceiling = cores / median(one, 'cores busy (all)');
    const cpuNote = `With one worker process the run kept ${formatNumber(median(one, 'cores busy (all)'))} of ${cores} cores busy (the worker ${formatNumber(median(one, 'cores busy (workers)'))}); with CPU the only limit, a second process can raise throughput at most ${formatNumber(ceiling)}×.`;
    const perWorker: Table = {
      title: 'Worker settings',
      columns: ['setting', 'value'],
      rows: [
        ['WORKER_CONCURRENCY', 'default (2 report jobs at once per process)'],
        ['node flags (Procfile)', worker.nodeArgs.join(' ') || 'none'],
      ],
    };
    return {
      parameters: {
        reports: `${reportCount} per run, ${formatNumber(csv.bytes / 1e6)} MB each (${csv.rows.toLocaleString('en-US')} rows), served over loopback HTTP`,
        processes:
          'src/web.ts and src/worker.ts (tsx) each in its own process and data folder, the worker with the Procfile flags; one Redis; a local SMTP sink',
        measured: 'from the first callback sent to the last report delivered (each report: download, archive, parse, summary, gzip attachment, email)',
        'runs per side': `${runs} kept + ${warmup} warmup, interleaved, fresh processes and key prefix each`,
      },
      measurements: [two, one],
      comparisons: [
        compare(two, one, 'reports/s', { atLeast: 1.6 }, 'a second worker process adds at least 60% throughput on 2 CPUs'),
        compare(
          two,
          one,
          'worker CPU s/report',
          { atMost: 1.15 },
          'a second process costs no extra work per report: throughput is bounded by CPU, not by contention',
        ),
      ],
      checks: [checkEquals('reports that failed (all runs)', failures.length, 0, '')],
      tables: [perWorker],
      notes: [cpuNote, ...failures],
    };
  },
};

export default scaleWorkersCase;
