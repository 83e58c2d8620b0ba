import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import type { Mailer } from '../../src/delivery/mailer.js';
import { closeRedis, createRedis } from '../../src/redis.js';
import { createService } from '../../src/service.js';
import { testConfig } from '../helpers/config.js';
import { captureLogger, silentLogger } from '../helpers/logger.js';
import { deleteKeys, uniquePrefix } from '../helpers/redis.js';

/** The composition root: what each role builds, what close() closes and in which order. */

function configFor(name: string) {
  return testConfig({ REDIS_PREFIX: uniquePrefix(name), HOST: '127.0.0.1', PORT: '0' });
}

/** The parts close() reported closing, in order. */
function closedParts(lines: string[]): string[] {
  return lines
    .map((line) => JSON.parse(line) as { msg?: string; part?: string })
    .flatMap((entry) => (entry.msg === 'closed' && entry.part ? [entry.part] : []));
}

describe('createService', () => {
  test('the worker role builds the steps and the worker, no web side, and consumes once started', async () => {
    const config = configFor('svc-worker');
    const service = await createService({ config, role: 'worker', overrides: { logger: silentLogger() } });
    try {
      assert.equal(service.web, null);
      assert.ok(service.steps && service.worker && service.maintenance);
      assert.equal(service.worker.isConsuming(), false, 'nothing runs before start()');
      await service.start();
      assert.equal(service.server, null, 'a worker does not listen');
      assert.equal(service.worker.isConsuming(), true);
    } finally {
      await service.close();
      await rm(config.dataDir, { recursive: true, force: true });
    }
    assert.equal(service.redis.status, 'end', 'the connection it made is quit');
  });

  test('the web role listens on HOST:PORT and serves /readyz; it builds no steps or worker', async () => {
    const config = configFor('svc-web');
    const service = await createService({ config, role: 'web', overrides: { logger: silentLogger() } });
    try {
      assert.equal(service.steps, null);
      assert.equal(service.worker, null);
      await service.start();
      const { port } = service.server!.address() as AddressInfo;
      const answer = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(answer.status, 200, await answer.text());
    } finally {
      await service.close();
      await rm(config.dataDir, { recursive: true, force: true });
    }
    assert.equal(service.server!.listening, false, 'the server is closed');
  });

  test('close() goes missed-run checks, http, worker, steps, queue, redis; connections passed in stay open, the server passed in is closed', async () => {
    const config = configFor('svc-close');
    const redis = createRedis(config.redis.url, 'commands');
    const blockingRedis = createRedis(config.redis.url, 'blocking');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const logs = captureLogger('info');
    const mailer: Mailer = {
      description: 'a mailer passed in',
      send: () => Promise.reject(new Error('not used')),
      verify: () => Promise.resolve(),
      close: () => undefined,
    };
    const service = await createService({ config, role: 'all', overrides: { logger: logs.logger, redis, blockingRedis, server, mailer } });
    try {
      assert.equal(service.steps?.mailer, mailer, 'the part passed in is used');
      await service.start();
      assert.equal(service.server, server);
      const { port } = server.address() as AddressInfo;
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200, 'the app answers on the server passed in');
      await service.close();

      assert.deepEqual(closedParts(logs.lines), ['missed-run checks', 'http', 'worker', 'steps', 'queue', 'redis']);
      assert.equal(server.listening, false);
      assert.equal(redis.status, 'ready', 'the commands connection passed in is left to its owner');
      assert.equal(blockingRedis.status, 'ready', 'the blocking connection passed in is left to its owner');
      assert.equal(await redis.ping(), 'PONG');
    } finally {
      await deleteKeys(redis, config.redis.prefix);
      await closeRedis(redis);
      await closeRedis(blockingRedis);
      await rm(config.dataDir, { recursive: true, force: true });
    }
  });

  test('start() names the Redis it could not reach', async () => {
    const config = testConfig({ REDIS_PREFIX: uniquePrefix('svc-noredis'), REDIS_URL: 'redis://127.0.0.1:1' });
    const service = await createService({ config, role: 'worker', overrides: { logger: silentLogger() }, redisReadyTimeoutMs: 300 });
    try {
      await assert.rejects(() => service.start(), /Redis at redis:\/\/127\.0\.0\.1:1 did not answer within 300 ms/u);
    } finally {
      await service.close();
      await rm(config.dataDir, { recursive: true, force: true });
    }
  });
  test('a worker logs once at start where reports may be downloaded from: hosts, ports and private networks', async () => {
    const config = testConfig({
      REDIS_PREFIX: uniquePrefix('svc-downloads'),
      DOWNLOAD_ALLOWED_HOSTS: 'files.example.com,*.losant.com',
      DOWNLOAD_ALLOWED_PORTS: '443,8443',
      DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'false',
    });
    const logs = captureLogger('info');
    const service = await createService({ config, role: 'worker', overrides: { logger: logs.logger } });
    try {
      await service.start();
      const lines = logs.lines
        .map((line) => JSON.parse(line) as { msg?: string; hosts?: unknown; ports?: unknown; privateNetworks?: unknown })
        .filter((entry) => entry.msg === 'downloads allowed');
      assert.equal(lines.length, 1, logs.text());
      assert.deepEqual(lines[0]?.hosts, ['files.example.com', '*.losant.com']);
      assert.deepEqual(lines[0]?.ports, [443, 8443]);
      assert.equal(lines[0]?.privateNetworks, false);
    } finally {
      await service.close();
      await rm(config.dataDir, { recursive: true, force: true });
    }
  });
});
