import { Redis } from 'ioredis';
import type { CliArgs } from '../lib/args.js';
import type { IntakeSettings } from './run-intake.js';
import { benchRedisUrl } from '../lib/redis-url.js';

/** The options every intake case takes, as its help lists them. */
export const INTAKE_LOAD_OPTIONS = [
  '--seconds N          measured load per run (default 10)',
  '--warmup-seconds N   unmeasured load at the start of each run, fresh server process (default 2)',
  '--connections N      concurrent connections (default 100)',
];

export interface IntakeLoadOptions {
  seconds: number;
  warmupSeconds: number;
  connections: number;
  /** The Redis the service and the harness use (REDIS_URL, or the local one). */
  redisUrl: string;
}

export function readIntakeLoadOptions(args: CliArgs): IntakeLoadOptions {
  return {
    seconds: args.number('seconds', 10, { min: 1 }),
    warmupSeconds: args.number('warmup-seconds', 2, { min: 0 }),
    connections: args.number('connections', 100, { min: 1, integer: true }),
    redisUrl: benchRedisUrl(),
  };
}

/**
 * The settings of an intake case from its options, with the harness's own Redis connection (the
 * case quits it); `extra` adds the case's own (metrics, web processes, node flags).
 */
export function intakeSettings(args: CliArgs, dirs: { repoDir: string; tmpDir: string }, extra: Partial<IntakeSettings> = {}): IntakeSettings {
  const { seconds, warmupSeconds, connections, redisUrl } = readIntakeLoadOptions(args);
  return {
    ...dirs,
    redis: new Redis(redisUrl, { maxRetriesPerRequest: 2 }),
    redisUrl,
    connections,
    seconds,
    warmupSeconds,
    serverNodeArgs: [],
    ...extra,
  };
}
