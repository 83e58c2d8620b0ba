import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { benchRedisUrl, LOCAL_REDIS_URL } from '../../bench/lib/redis-url.js';

const BENCH = fileURLToPath(new URL('../../bench/', import.meta.url));

describe('the Redis the benchmarks use', () => {
  test('is REDIS_URL when set, else the local one', () => {
    assert.equal(benchRedisUrl({ REDIS_URL: 'redis://10.0.0.5:6380' }), 'redis://10.0.0.5:6380');
    assert.equal(benchRedisUrl({}), LOCAL_REDIS_URL);
    assert.equal(LOCAL_REDIS_URL, 'redis://127.0.0.1:6379');
  });

  test('is chosen in bench/lib/redis-url.ts alone: no other benchmark source spells a Redis URL', () => {
    const sources = readdirSync(BENCH, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('.ts'));
    assert.ok(sources.length > 10, `${sources.length} sources`);
    const spelling = sources.filter((path) => path !== join('lib', 'redis-url.ts') && /['"`]rediss?:\/\//u.test(readFileSync(join(BENCH, path), 'utf8')));
    assert.deepEqual(spelling, []);
  });
});
