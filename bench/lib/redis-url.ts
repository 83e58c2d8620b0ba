/** The Redis every benchmark uses when REDIS_URL is not set: the local one (README: Benchmarks). */
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

/** The Redis a benchmark runs against: REDIS_URL, or the local one. */
export function benchRedisUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.REDIS_URL ?? LOCAL_REDIS_URL;
}

/** The URL of a redis-server a benchmark started itself on loopback. */
export function loopbackRedisUrl(port: number): string {
  return `redis://127.0.0.1:${port}`;
}
