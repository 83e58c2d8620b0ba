import type { BenchCase, Table } from '../lib/case.js';
import { checkEquals } from '../lib/checks.js';
import { compare, measureInterleaved } from '../lib/measure.js';
import type { Measurement, Metrics } from '../lib/measure.js';
import { formatNumber } from '../lib/report.js';
import { INTAKE_LOAD_OPTIONS, intakeSettings } from '../intake/load-options.js';
import { intakeSideRunner } from '../intake/side-runner.js';
import type { IntakeRun, IntakeSide } from '../intake/run-intake.js';

/**
 * Target: the callback route (authentication, raw-body storage, match, dedupe, enqueue, answer)
 * must add no real cost over the libraries underneath: at least 0.9× a bare Express 5 + helmet
 * handler's throughput (one Redis GET, one SET, one BullMQ add per request) and a p99 at most
 * 1.2× its p99; every accepted callback must be in Redis afterwards.
 */

const SUBJECT = 'report-relay callback route';
const BASELINE = 'bare express+helmet GET/SET/add';
const STORE_ONLY = 'bare handler doing the service Redis work';

const SIDE_NAMES: Record<IntakeSide, string> = { subject: SUBJECT, scraped: `${SUBJECT}, /metrics scraped`, baseline: BASELINE, 'store-only': STORE_ONLY };

/** With --decompose: each side's figures beside the baseline's, so the gap splits into its parts. */
function decompositionTable(sides: ReadonlyArray<[IntakeSide, Measurement]>, baseline: Measurement): Table {
  const median = (m: Measurement, metric: string) => m.summary[metric]?.median ?? Number.NaN;
  return {
    title: 'Decomposition (medians): the service, the bare handler doing only the service Redis work, and the bare handler',
    columns: ['side', 'req/s', '× baseline req/s', 'p99 ms', 'server CPU µs/req', 'Redis CPU µs/req'],
    rows: sides.map(([side, m]) => [
      SIDE_NAMES[side],
      formatNumber(median(m, 'req/s')),
      `${(median(m, 'req/s') / median(baseline, 'req/s')).toFixed(2)}×`,
      formatNumber(median(m, 'p99 ms')),
      formatNumber(median(m, 'server CPU µs/req')),
      formatNumber(median(m, 'Redis CPU µs/req')),
    ]),
  };
}

/** Server CPU per request is steadier than throughput on a shared machine; say how the two compare. */
function cpuNote(subject: Measurement, baseline: Measurement): string[] {
  const s = subject.summary['server CPU µs/req'];
  const b = baseline.summary['server CPU µs/req'];
  if (s === undefined || b === undefined) return [];
  return [
    `Server CPU per request (user + system from /proc, warm-up included): ${formatNumber(s.median)} µs for the service, ${formatNumber(b.median)} µs for the bare handler (${(s.median / b.median).toFixed(2)}×). With the server CPU-bound, throughput follows it.`,
  ];
}

const intakeCase: BenchCase = {
  description:
    'Callback intake: the real web process under concurrent distinct valid callbacks (autocannon, own process) against a bare Express 5 + helmet + GET/SET/queue.add handler',
  defaults: { runs: 3, warmup: 0 },
  options: [
    ...INTAKE_LOAD_OPTIONS,
    '--cpu-prof           write CPU profiles of each server process under <case dir>/profiles/ (use with --keep)',
    "--decompose          also run the bare handler doing the service's Redis work (bench/intake/store-only-server.ts), without a target",
  ],

  async run({ args, runs, warmup, tmpDir, repoDir, log }) {
    const decompose = args.has('decompose');
    const settings = intakeSettings(
      args,
      { repoDir, tmpDir },
      {
        // One directory per server run: Node writes one profile per thread (tsx's loader runs in a worker).
        serverNodeArgs: args.has('cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${tmpDir}/profiles/{run}`] : [],
      },
    );
    const { seconds, warmupSeconds, connections, redis } = settings;

    const runSide = intakeSideRunner(settings, log);
    const audits: Array<{ side: IntakeSide; run: number; result: IntakeRun }> = [];
    const sideRunner =
      (side: IntakeSide) =>
      async (run: number): Promise<Metrics> => {
        const result = await runSide(side, run);
        const { load } = result;
        if (run > 0) audits.push({ side, run, result });
        const cpu = result.serverCpuMicrosPerRequest;
        log(
          `run ${run} ${side.padEnd(8)} ${formatNumber(load.requestsPerSecond)} req/s, p50 ${load.latencyP50Ms} ms, p99 ${load.latencyP99Ms} ms,` +
            ` server CPU ${cpu === null ? 'n/a' : formatNumber(cpu)} µs/req, Redis CPU ${formatNumber(result.redisCpuMicrosPerRequest)} µs/req;` +
            ` ${result.audit.accepted} accepted, ${result.audit.stored} stored, ${result.audit.queued} queued, ${result.audit.acceptedButMissing} missing`,
        );
        return {
          'req/s': load.requestsPerSecond,
          'p50 ms': load.latencyP50Ms,
          'p99 ms': load.latencyP99Ms,
          'mean ms': load.latencyMeanMs,
          'non-2xx + errors': load.non2xx + load.errors,
          ...(cpu === null ? {} : { 'server CPU µs/req': cpu }),
          'Redis CPU µs/req': result.redisCpuMicrosPerRequest,
        };
      };

    let measured;
    try {
      measured = await measureInterleaved(
        {
          [SUBJECT]: sideRunner('subject'),
          [BASELINE]: sideRunner('baseline'),
          ...(decompose ? { [STORE_ONLY]: sideRunner('store-only') } : {}),
        },
        { runs, warmup },
      );
    } finally {
      await redis.quit();
    }
    const subject = measured[SUBJECT]!;
    const baseline = measured[BASELINE]!;
    const storeOnly = measured[STORE_ONLY];

    const auditTable: Table = {
      title: 'Redis after each run (no worker runs, so every accepted callback must still be there; warm-up load included)',
      columns: ['side', 'run', '202 answers', 'answered but not in Redis', 'stored', 'jobs queued', 'stored without an answer seen', 'other statuses'],
      rows: audits.map(({ side, run, result: { audit, load } }) => [
        SIDE_NAMES[side],
        run,
        audit.accepted,
        audit.acceptedButMissing,
        audit.stored,
        audit.queued,
        audit.stored - audit.accepted,
        Object.entries(load.statuses)
          .filter(([status]) => status !== '202')
          .map(([status, count]) => `${status}: ${count}`)
          .join(', ') || 'none',
      ]),
    };
    const subjectAudits = audits.filter((a) => a.side === 'subject').map((a) => a.result.audit);
    const sum = (pick: (a: IntakeRun['audit']) => number) => subjectAudits.reduce((total, a) => total + pick(a), 0);

    return {
      parameters: {
        load: `autocannon in its own process, ${connections} connections, ${seconds} s measured after ${warmupSeconds} s warm-up, each request a distinct valid callback`,
        subject: 'src/web.ts in its own process (NODE_ENV=production, LOG_LEVEL=info to /dev/null), no worker',
        baseline: 'bench/intake/baseline-server.ts in its own process: express.raw, GET secret, SET body, queue.add, 202',
        'runs per side': `${runs} kept + ${warmup} warmup, interleaved, fresh records, key prefix and server process each`,
        ...(storeOnly
          ? {
              decomposition:
                "bench/intake/store-only-server.ts: the baseline's shape doing the service's Redis work (HMGET match, constant-time check, accept script, add with the service's job options), no request id or log line",
            }
          : {}),
      },
      measurements: storeOnly ? [subject, storeOnly, baseline] : [subject, baseline],
      comparisons: [
        compare(subject, baseline, 'req/s', { atLeast: 0.9 }, 'throughput at least 0.9× the bare handler'),
        compare(subject, baseline, 'p99 ms', { atMost: 1.2 }, 'p99 latency at most 1.2× the bare handler'),
      ],
      checks: [
        checkEquals(
          'subject: 202 answers whose callback, status and job are not in Redis (all runs)',
          sum((a) => a.acceptedButMissing),
          0,
          '',
        ),
        checkEquals('subject: non-2xx answers and errors (all runs, median)', subject.summary['non-2xx + errors']!.median, 0, ''),
      ],
      tables: storeOnly
        ? [
            decompositionTable(
              [
                ['subject', subject],
                ['store-only', storeOnly],
                ['baseline', baseline],
              ],
              baseline,
            ),
            auditTable,
          ]
        : [auditTable],
      notes: [
        `The service stored ${sum((a) => a.stored)} callbacks and answered ${sum((a) => a.accepted)} with 202 over the kept runs; the difference is requests still in flight when the load generator stopped (at most ${connections} at the end of the warm-up and ${connections} at the end of a run), stored but never seen answered.`,
        ...cpuNote(subject, baseline),
      ],
    };
  },
};

export default intakeCase;
