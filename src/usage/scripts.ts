import type { ChainableCommander } from 'ioredis';
import { mastersOf, type RedisClient } from '../redis-client.js';

/**
 * Runs a script many times in pipelines by its digest (EVALSHA sends 40 characters instead of the
 * script each time). The script is loaded once per call of `inBatches`; a batch Redis answers
 * NOSCRIPT (it forgot its scripts meanwhile: SCRIPT FLUSH, a restart) is loaded and sent again:
 * the scripts are idempotent, so a batch sent twice writes what it wrote once. On a cluster the
 * script is loaded on every master, since a batch runs on whichever holds its keys' slot.
 */
export function createScriptBatches(redis: RedisClient, script: string) {
  async function inBatches<T>(items: readonly T[], batchSize: number, add: (batch: ChainableCommander, sha: string, item: T) => void): Promise<void> {
    let sha = await loadScript(redis, script);
    for (let start = 0; start < items.length; start += batchSize) {
      const slice = items.slice(start, start + batchSize);
      for (let attempt = 0; ; attempt += 1) {
        const batch = redis.pipeline();
        for (const item of slice) add(batch, sha, item);
        const replies = (await batch.exec()) ?? [];
        const failure = replies.find(([error]) => error !== null)?.[0];
        if (failure === undefined || failure === null) break;
        if (attempt > 0 || !failure.message.startsWith('NOSCRIPT')) throw failure;
        sha = await loadScript(redis, script);
      }
    }
  }
  return { inBatches };
}

async function loadScript(redis: RedisClient, script: string): Promise<string> {
  const masters = mastersOf(redis);
  if (masters.length === 0) throw new Error('no Redis master to load a script on: the cluster is not connected');
  const digests: unknown[] = await Promise.all(masters.map((master) => master.script('LOAD', script)));
  const sha = digests[0];
  if (typeof sha !== 'string' || digests.some((digest) => digest !== sha)) throw new Error(`SCRIPT LOAD answered ${JSON.stringify(digests)}`);
  return sha;
}
