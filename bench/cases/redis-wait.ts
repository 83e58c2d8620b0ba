import { Redis } from 'ioredis';
import type { BenchCase } from '../lib/case.js';
import { checkEquals } from '../lib/checks.js';
import { compare, measureInterleaved, type Measurement, type Metrics } from '../lib/measure.js';
import { startRedisPair } from '../lib/redis-pair.js';
import { formatNumber } from '../lib/report.js';
import { readIntakeLoadOptions } from '../intake/load-options.js';
import type { IntakeRun, IntakeSettings } from '../intake/run-intake.js';
import { intakeSideRunner } from '../intake/side-runner.js';

/**
 * What REDIS_WAIT_REPLICAS=1 costs the callback intake: the real web process against a master
 * with one replica (both started by the case, on loopback), once with no WAIT and once with a
 * WAIT for one replica after each kept callback. Throughput, p50/p99 latency and the server's
 * CPU per callback, interleaved runs, the ratio of the two printed. Loopback replication is the
 * best case: over a network each WAIT also waits a round trip to the replica.
 */

const NO_WAIT = 'REDIS_WAIT_REPLICAS=0';
const WAIT_ONE = 'REDIS_WAIT_REPLICAS=1';

const redisWaitCase: BenchCase = {
  description: 'Callback intake against a master + replica, REDIS_WAIT_REPLICAS 0 vs 1 (the web process in its own process, load from another)',
  defaults: { runs: 3, warmup: 1 },
  options: [
    '--seconds N          measured load per run (default 5)',
    '--warmup-seconds N   unmeasured load at the start of each run, fresh server process (default 1)',
    '--connections N      concurrent connections (default 50)',
  ],

  async run({ args, runs, warmup, tmpDir, repoDir, log }) {
    const { seconds, warmupSeconds, connections } = {
      ...readIntakeLoadOptions(args),
      seconds: args.number('seconds', 5, { min: 1 }),
      warmupSeconds: args.number('warmup-seconds', 1, { min: 0 }),
      connections: args.number('connections', 50, { min: 1, integer: true }),
    };
    const pair = await startRedisPair(tmpDir);
    const redis = new Redis(pair.masterUrl, { maxRetriesPerRequest: 2 });
    const settingsWith = (replicas: number): IntakeSettings => ({
      repoDir,
      tmpDir,
      redis,
      redisUrl: pair.masterUrl,
      connections,
      seconds,
      warmupSeconds,
      serverNodeArgs: [],
      serviceEnv: { REDIS_WAIT_REPLICAS: String(replicas), REDIS_WAIT_TIMEOUT_MS: '500' },
    });
    const audits: Array<{ side: string; result: IntakeRun }> = [];
    const sideRunner = (name: string, replicas: number) => {
      const runSide = intakeSideRunner(settingsWith(replicas), log);
      return async (run: number): Promise<Metrics> => {
        const result = await runSide('subject', run);
        const { load } = result;
        if (run > 0) audits.push({ side: name, result });
        const cpu = result.serverCpuMicrosPerRequest;
        log(
          `run ${run} ${name} ${formatNumber(load.requestsPerSecond)} req/s, p50 ${load.latencyP50Ms} ms, p99 ${load.latencyP99Ms} ms,` +
            ` server CPU ${cpu === null ? 'n/a' : formatNumber(cpu)} µs/req; ${result.audit.accepted} accepted, ${result.audit.acceptedButMissing} missing`,
        );
        return {
          'callbacks/s': load.requestsPerSecond,
          'p50 ms': load.latencyP50Ms,
          'p99 ms': load.latencyP99Ms,
          'non-2xx + errors': load.non2xx + load.errors,
          ...(cpu === null ? {} : { 'server CPU µs/callback': cpu }),
          'Redis CPU µs/callback': result.redisCpuMicrosPerRequest,
        };
      };
    };

    let measured: Record<string, Measurement>;
    try {
      measured = await measureInterleaved({ [WAIT_ONE]: sideRunner(WAIT_ONE, 1), [NO_WAIT]: sideRunner(NO_WAIT, 0) }, { runs, warmup });
    } finally {
      await redis.quit();
      await pair.close();
    }
    const waiting = measured[WAIT_ONE]!;
    const plain = measured[NO_WAIT]!;
    const sum = (side: string, pick: (audit: IntakeRun['audit']) => number) =>
      audits.filter((entry) => entry.side === side).reduce((total, entry) => total + pick(entry.result.audit), 0);
    const median = (m: Measurement, metric: string) => m.summary[metric]?.median ?? Number.NaN;
    const cpuRatio = median(waiting, 'server CPU µs/callback') / median(plain, 'server CPU µs/callback');

    return {
      parameters: {
        redis: 'a master and one replica of the case, redis-server on loopback, no persistence',
        load: `autocannon in its own process, ${connections} connections, ${seconds} s measured after ${warmupSeconds} s warm-up, each request a distinct valid callback`,
        subject: 'src/web.ts in its own process (NODE_ENV=production, LOG_LEVEL=info to /dev/null), no worker, REDIS_WAIT_TIMEOUT_MS=500',
        'runs per side': `${runs} kept + ${warmup} warmup, interleaved, fresh records, key prefix and server process each`,
      },
      measurements: [waiting, plain],
      comparisons: [
        compare(waiting, plain, 'callbacks/s', { atLeast: 0.5 }, 'throughput with a WAIT for one replica, at least half of without'),
        compare(waiting, plain, 'p50 ms', { atMost: 3 }, 'median latency with the WAIT, at most 3× without'),
        compare(waiting, plain, 'p99 ms', { atMost: 3 }, 'p99 latency with the WAIT, at most 3× without'),
        compare(waiting, plain, 'server CPU µs/callback', { atMost: 1.5 }, "the web process's CPU per callback with the WAIT, at most 1.5× without"),
      ],
      checks: [
        checkEquals(
          `${WAIT_ONE}: 202 answers whose callback, status and job are not in Redis (all runs)`,
          sum(WAIT_ONE, (a) => a.acceptedButMissing),
          0,
          '',
        ),
        checkEquals(`${WAIT_ONE}: non-2xx answers and errors (all runs, median)`, median(waiting, 'non-2xx + errors'), 0, ''),
      ],
      notes: [
        `With a WAIT for one replica: ${formatNumber(median(waiting, 'callbacks/s'))} callbacks/s against ${formatNumber(median(plain, 'callbacks/s'))} without (${(median(waiting, 'callbacks/s') / median(plain, 'callbacks/s')).toFixed(2)}×); p50 ${formatNumber(median(waiting, 'p50 ms'))} ms against ${formatNumber(median(plain, 'p50 ms'))} ms, p99 ${formatNumber(median(waiting, 'p99 ms'))} ms against ${formatNumber(median(plain, 'p99 ms'))} ms; the web process's CPU per callback ${cpuRatio.toFixed(2)}×.`,
        'WAIT holds the one connection the web process keeps callbacks on until the replica confirms, so the commands of other callbacks queue behind it: the cost is mostly latency, and grows with the round trip to the replica.',
      ],
    };
  },
};

export default redisWaitCase;
