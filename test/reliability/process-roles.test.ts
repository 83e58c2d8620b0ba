import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deleteKeys, REDIS_URL, testRedis, uniquePrefix } from '../helpers/redis.js';
import { ensureBuilt } from './helpers/build.js';
import { freePort } from './helpers/ports.js';
import { msg, serviceEnv, spawnService, type ServiceProcess } from './helpers/processes.js';

/**
 * The compiled entry points ask for the settings of their role only: a worker starts with the
 * worker's settings alone and answers health on WORKER_HEALTH_PORT until SIGTERM closes it; the
 * web process refuses to start without PUBLIC_URL, naming it and its role.
 */

const prefix = uniquePrefix('rel-roles');
const dataDir = mkdtempSync(join(tmpdir(), 'report-relay-rel-roles-'));
const children: ServiceProcess[] = [];

async function status(port: number, path: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
  await response.body?.cancel();
  return response.status;
}

describe('each process asks only for the settings its role reads', () => {
  before(() => ensureBuilt());

  after(async () => {
    await Promise.all(children.map((child) => child.kill()));
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a worker starts with only its settings, answers /healthz and /readyz on its own port, and closes it on SIGTERM', async () => {
    const healthPort = await freePort();
    // Nothing inherited but PATH and HOME, and none of the web's settings (PUBLIC_URL, ADMIN_TOKEN, LOSANT_API_TOKEN, PORT).
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? tmpdir(),
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      REDIS_URL,
      REDIS_PREFIX: prefix,
      LOSANT_INSTANCE_ID: 'a1b2c3d4e5f6a1b2c3d4e5f6',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      WORKER_HEALTH_PORT: String(healthPort),
    };
    const worker = spawnService('worker', env);
    children.push(worker);
    assert.equal((await worker.waitForLog(msg('worker health listening'))).port, healthPort);
    await worker.waitForLog(msg('worker consuming report jobs'));
    assert.equal(await status(healthPort, '/healthz'), 200);
    assert.equal(await status(healthPort, '/readyz'), 200);

    worker.signal('SIGTERM');
    assert.deepEqual(await worker.exited, { code: 0, signal: null }, worker.stderr());
    assert.ok(
      worker.logs.some((line) => line.msg === 'closed' && line.part === 'health'),
      'the health port is closed on shutdown',
    );
    await assert.rejects(() => status(healthPort, '/healthz'), 'nothing listens on the health port any more');
  });

  test('the web process refuses to start without PUBLIC_URL, naming it and its role', async () => {
    const { PUBLIC_URL: _left, ...env } = serviceEnv({ port: await freePort(), redisUrl: REDIS_URL, prefix, dataDir });
    const web = spawnService('web', env);
    children.push(web);
    assert.deepEqual(await web.exited, { code: 1, signal: null });
    const problems = web.stderr();
    assert.match(problems, /^Invalid configuration for role web:$/mu);
    assert.match(problems, /^ {2}- PUBLIC_URL: required \(role web\)/mu);
    assert.equal(problems.match(/^ {2}- /gmu)?.length, 1, `only PUBLIC_URL is missing:\n${problems}`);
  });
});
