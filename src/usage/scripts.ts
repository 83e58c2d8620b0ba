import type { ChainableCommander, Redis } from 'ioredis';

/**
 * Runs a script many times in pipelines by its digest (EVALSHA sends 40 characters instead of the
 * script each time). The script is loaded once per call of `inBatches`; a batch Redis answers
 * NOSCRIPT (it forgot its scripts meanwhile: SCRIPT FLUSH, a restart) is loaded and sent again:
 * the scripts are idempotent, so a batch sent twice writes what it wrote once.
 */
export function createScriptBatches(redis: Redis, script: string) {
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

async function loadScript(redis: Redis, script: string): Promise<string> {
  const sha: unknown = await redis.script('LOAD', script);
  if (typeof sha !== 'string') throw new Error(`SCRIPT LOAD answered ${JSON.stringify(sha)}`);
  return sha;
}
