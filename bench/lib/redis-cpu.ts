import type { Redis } from 'ioredis';

/** Redis's own CPU seconds so far (user + system, main thread and others), from INFO cpu. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'mu').exec(info)?.[1] ?? Number.NaN);
  return seconds('used_cpu_user') + seconds('used_cpu_sys');
}
