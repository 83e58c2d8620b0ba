import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

export interface MachineFacts {
  cpuModel: string;
  /** Logical CPUs the OS reports. */
  cpus: number;
  /** What Node may use (respects affinity and cgroup limits where the platform tells). */
  availableParallelism: number;
  totalMemoryGb: number;
  node: string;
  v8: string;
  os: string;
  arch: string;
  /** 1-minute load average when the run started: a busy machine explains noisy figures. */
  loadAverage1m: number;
  redis: string;
  gitCommit: string;
}

async function redisVersion(url: string, timeoutMs: number): Promise<string> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {
    // Reported through the rejected connect/info below; without a listener ioredis logs it.
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const info = await Promise.race([
      redis.connect().then(() => redis.info('server')),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    const version = /^redis_version:(.+)$/m.exec(info)?.[1]?.trim();
    return version ?? 'unavailable (no redis_version in INFO)';
  } catch {
    return 'unavailable';
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

async function gitCommit(cwd: string): Promise<string> {
  try {
    const { stdout: head } = await run('git', ['rev-parse', '--short=12', 'HEAD'], { cwd });
    const { stdout: status } = await run('git', ['status', '--porcelain'], { cwd });
    return `${head.trim()}${status.trim() === '' ? '' : ' (uncommitted changes)'}`;
  } catch {
    return 'none (not a git work tree, or no commit yet)';
  }
}

/** The facts needed to tell whether two benchmark results are comparable at all. */
export async function machineFacts(options: { redisUrl: string; repoDir: string; timeoutMs?: number }): Promise<MachineFacts> {
  const cpus = os.cpus();
  const [redis, commit] = await Promise.all([redisVersion(options.redisUrl, options.timeoutMs ?? 2000), gitCommit(options.repoDir)]);
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryGb: Math.round((os.totalmem() / 1e9) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} (${os.platform()})`,
    arch: os.arch(),
    loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    redis,
    gitCommit: commit,
  };
}
