import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import request from 'supertest';
import type { Redis } from 'ioredis';
import { adminAuth } from '../../src/http/admin-auth.js';
import { createErrorHandler } from '../../src/http/error-handler.js';
import { adminGate } from '../../src/http/rate-limit.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { silentLogger } from '../helpers/logger.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';

/*
 * The admin gate on its own, on a real Redis: the failure limit is applied before the token is
 * looked at, so a client over it learns nothing, not even that a token it sends is the right one.
 */

let redis: Redis;
const prefix = uniquePrefix('admin-gate');
// A fixed clock in the middle of a minute: the window cannot turn over during the test.
const minute = 29_000_000 * 60_000 + 30_000;

function gatedApp(checked: string[]) {
  const authenticate = adminAuth(TEST_ADMIN_TOKEN);
  const app = express();
  // The test names its client addresses in X-Forwarded-For, believed from loopback only.
  app.set('trust proxy', 'loopback');
  app.use(
    adminGate(redis, {
      prefix,
      perMinute: 100,
      authFailuresPerMinute: 3,
      now: () => minute,
      // Counts every time the credentials are looked at.
      authenticate: (req) => {
        checked.push(req.get('authorization') ?? '');
        return authenticate(req);
      },
    }),
  );
  app.get('/admin/ping', (_req, res) => res.json({ ok: true }));
  app.use(createErrorHandler(silentLogger()));
  return app;
}

describe('admin gate: the failure limit comes before the token', () => {
  before(() => {
    redis = testRedis();
  });
  after(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  test('a client over the failure limit gets 429 for the right token too, and its token is not checked', async () => {
    const checked: string[] = [];
    const app = gatedApp(checked);
    const wrong = `Bearer ${'w'.repeat(32)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await request(app).get('/admin/ping').set('Authorization', wrong)).status);
    assert.deepEqual(statuses, [401, 401, 401]);
    assert.equal(checked.length, 3);

    const right = await request(app).get('/admin/ping').set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
    assert.equal(right.status, 429, 'the right token, sent after the limit, is refused like any other');
    assert.equal(right.body.error.code, 'rate_limited');
    assert.ok(Number(right.headers['retry-after']) > 0);
    const again = await request(app).get('/admin/ping').set('Authorization', wrong);
    assert.equal(again.status, 429);
    assert.equal(checked.length, 3, 'no credentials were looked at once the client was over the limit');
  });

  test('under the limit the right token passes, and a client over it does not hold back another address', async () => {
    const checked: string[] = [];
    const app = gatedApp(checked);
    const from = (client: string, authorization: string) => request(app).get('/admin/ping').set('X-Forwarded-For', client).set('Authorization', authorization);
    for (let i = 0; i < 3; i += 1) assert.equal((await from('203.0.113.20', 'Bearer wrong-wrong-wrong-wrong')).status, 401);
    assert.equal((await from('203.0.113.20', `Bearer ${TEST_ADMIN_TOKEN}`)).status, 429);
    assert.equal((await from('203.0.113.21', `Bearer ${TEST_ADMIN_TOKEN}`)).status, 200, 'another address');
    assert.equal((await from('203.0.113.21', `Bearer ${TEST_ADMIN_TOKEN}`)).status, 200);
    assert.equal(checked.length, 5);
  });
});
