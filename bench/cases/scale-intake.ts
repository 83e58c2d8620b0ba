import type { BenchCase } from '../lib/case.js';
import { checkEquals } from '../lib/checks.js';
import { compare, measureInterleaved, type Metrics } from '../lib/measure.js';
import { formatNumber } from '../lib/report.js';
import { INTAKE_LOAD_OPTIONS, intakeSettings, readIntakeLoadOptions } from '../intake/load-options.js';
import type { IntakeSettings } from '../intake/run-intake.js';
import { intakeSideRunner } from '../intake/side-runner.js';

/**
 * Callback intake with 1 and 2 web processes on one Redis: the load generator spreads its
 * connections over the processes round-robin, as a balancer would. On a 2-CPU machine the load
 * generator and Redis take CPU too, so a second process adds less than a second machine would;
 * the figure tells how much it adds here.
 */

const ONE = '1 web process';
const TWO = '2 web processes';

const scaleIntakeCase: BenchCase = {
  description: 'Callback intake with 1 and 2 web processes sharing the load (autocannon round-robin), one Redis',
  defaults: { runs: 3, warmup: 1 },
  options: [...INTAKE_LOAD_OPTIONS],

  async run({ args, runs, warmup, tmpDir, repoDir, log }) {
    const { seconds, warmupSeconds, connections } = readIntakeLoadOptions(args);
    if (connections % 2 !== 0) throw new Error('--connections must be even: the two processes get half each');
    const shared = intakeSettings(args, { repoDir, tmpDir });
    const { redis } = shared;
    const settings = (webProcesses: number): IntakeSettings => ({ ...shared, webProcesses });
    const missing: number[] = [];
    const side = (webProcesses: number) => {
      const runSide = intakeSideRunner(settings(webProcesses), log);
      return async (run: number): Promise<Metrics> => {
        const { load, audit, serverCpuMicrosPerRequest } = await runSide('subject', run);
        if (run > 0) missing.push(audit.acceptedButMissing);
        log(`run ${run} ${webProcesses} web: ${formatNumber(load.requestsPerSecond)} req/s, p99 ${load.latencyP99Ms} ms`);
        return {
          'req/s': load.requestsPerSecond,
          'p99 ms': load.latencyP99Ms,
          'non-2xx + errors': load.non2xx + load.errors,
          ...(serverCpuMicrosPerRequest === null ? {} : { 'server CPU µs/req': serverCpuMicrosPerRequest }),
        };
      };
    };

    let measured;
    try {
      measured = await measureInterleaved({ [ONE]: side(1), [TWO]: side(2) }, { runs, warmup });
    } finally {
      await redis.quit();
    }
    const one = measured[ONE]!;
    const two = measured[TWO]!;
    return {
      parameters: {
        load: `autocannon in its own process, ${connections} connections (round-robin over the processes), ${seconds} s measured after ${warmupSeconds} s warm-up, each request a distinct valid callback`,
        service: 'src/web.ts, each process its own port, one Redis, no worker',
        'runs per side': `${runs} kept + ${warmup} warmup, interleaved, fresh records, key prefix and server processes each`,
      },
      measurements: [two, one],
      comparisons: [compare(two, one, 'req/s', { atLeast: 1 }, 'a second web process does not lower the intake')],
      checks: [
        checkEquals(
          '202 answers whose callback, status and job are not in Redis (all runs)',
          missing.reduce((total, count) => total + count, 0),
          0,
          '',
        ),
        checkEquals('non-2xx answers and errors, 2 web processes (median)', two.summary['non-2xx + errors']!.median, 0, ''),
      ],
    };
  },
};

export default scaleIntakeCase;
