import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { createService } from '../../src/service.js';
import { testConfig } from '../helpers/config.js';
import { silentLogger } from '../helpers/logger.js';
import { uniquePrefix } from '../helpers/redis.js';
import { startService } from '../helpers/service.js';

/**
 * A load balancer keeps idle connections to the service open for about 60 s (AWS ALB, GCP, nginx
 * upstream keepalive): the service must keep them longer, or it closes a connection just as the
 * balancer sends a request on it, and the client gets a 502.
 */
describe('HTTP server timeouts', () => {
  test('by default the server keeps idle connections 65 s, and waits for headers longer than that', async () => {
    const service = await startService({ worker: false, name: 'timeouts' });
    try {
      const server = service.server;
      assert.ok(server);
      assert.equal(server.keepAliveTimeout, 65_000);
      assert.ok(server.headersTimeout > server.keepAliveTimeout, `headersTimeout ${server.headersTimeout}`);
      assert.ok(server.requestTimeout === 0 || server.requestTimeout > server.headersTimeout, `requestTimeout ${server.requestTimeout}`);
    } finally {
      await service.stop();
    }
  });

  test('HTTP_KEEP_ALIVE_TIMEOUT_MS sets it, also on a server the service listens on itself', async () => {
    const config = testConfig({ REDIS_PREFIX: uniquePrefix('timeouts-own'), HOST: '127.0.0.1', PORT: '0', HTTP_KEEP_ALIVE_TIMEOUT_MS: '90000' });
    const service = await createService({ config, role: 'web', overrides: { logger: silentLogger() } });
    try {
      await service.start();
      const server = service.server;
      assert.ok(server?.listening);
      assert.equal(server.keepAliveTimeout, 90_000);
      assert.ok(server.headersTimeout > 90_000, `headersTimeout ${server.headersTimeout}`);
    } finally {
      await service.close();
      await rm(config.dataDir, { recursive: true, force: true });
    }
  });
});
