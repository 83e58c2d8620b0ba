import { runIntake, type IntakeRun, type IntakeSettings, type IntakeSide } from './run-intake.js';

/**
 * Runs one side of an intake case with enough distinct callbacks: each run needs more than it can
 * send, and the pool grows with the rate the runs show. A run that used up its pool is run again
 * with a bigger one (three tries), so no figure comes from a load generator that ran dry.
 */
export function intakeSideRunner(settings: IntakeSettings, log: (line: string) => void): (side: IntakeSide, run: number) => Promise<IntakeRun> {
  const { seconds, warmupSeconds, connections } = settings;
  let ratePerSecond = 3000;
  return async (side, run) => {
    for (let attempt = 1; ; attempt++) {
      const pool = Math.ceil(ratePerSecond * (seconds + warmupSeconds) * 1.6) + connections * 4;
      const result = await runIntake(side, pool, settings, run);
      ratePerSecond = Math.max(ratePerSecond, result.load.targetsUsed / (seconds + warmupSeconds));
      if (!result.load.exhausted) return result;
      if (attempt >= 3) throw new Error(`${side}: sent more than the ${pool} prepared callbacks three times`);
      log(`${side}: the ${pool} prepared callbacks ran out; again with more`);
    }
  };
}
