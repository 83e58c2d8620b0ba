import type { Redis } from 'ioredis';
import type { ServerProcess } from '../lib/server-process.js';
import { redisCpuSeconds } from '../lib/redis-cpu.js';

/** CPU one scrape of /metrics costs: the server's and Redis's (the gauges read at scrape time), per scrape. */
export interface ScrapeCost {
  scrapes: number;
  /** null off Linux (no /proc). */
  serverCpuMicros: number | null;
  redisCpuMicros: number;
}

/**
 * Scrapes `count` times in a row once the load has stopped, while the registry still holds the
 * run's series and Redis the run's records, and divides the CPU both used by the scrapes made.
 * CPU time, unlike throughput, does not depend on how busy the machine is: it tells what a scrape
 * takes away from the callbacks when the server is saturated, at any scrape interval.
 */
export async function measureScrapeCost(url: string, token: string, server: ServerProcess, redis: Redis, count: number): Promise<ScrapeCost> {
  const scrape = async () => {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    await response.text();
    if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  };
  await scrape(); // the first one compiles the code paths; not counted
  const serverBefore = server.cpuSeconds();
  const redisBefore = await redisCpuSeconds(redis);
  for (let i = 0; i < count; i++) await scrape();
  const serverAfter = server.cpuSeconds();
  const redisAfter = await redisCpuSeconds(redis);
  return {
    scrapes: count,
    serverCpuMicros: serverBefore === null || serverAfter === null ? null : ((serverAfter - serverBefore) * 1e6) / count,
    redisCpuMicros: ((redisAfter - redisBefore) * 1e6) / count,
  };
}
