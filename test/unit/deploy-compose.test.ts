import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { SETTINGS } from '../../src/config/settings.js';
import { procfileArgv } from '../helpers/procfile.js';

/*
 * compose.yaml read as YAML (no Docker engine needed): Redis as the README requires it, the web and
 * worker commands the Procfile's, and only settings the service knows.
 */

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  env_file?: string | string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: string[];
  container_name?: string;
  stop_grace_period?: string;
  healthcheck?: { test?: string[] };
}

const compose = parse(readFileSync(new URL('../../compose.yaml', import.meta.url), 'utf8')) as { services: Record<string, Service> };
const { redis, web, worker } = compose.services;

/** The value that follows `flag` in a command line. */
function optionValue(command: string[] | undefined, flag: string): string | undefined {
  const at = command?.indexOf(flag) ?? -1;
  return at < 0 ? undefined : command?.[at + 1];
}

function seconds(duration: string | undefined): number {
  const match = /^(\d+)s$/u.exec(duration ?? '');
  assert.ok(match, `a duration in seconds: ${String(duration)}`);
  return Number(match[1]);
}

/** The volume mounted at `target` in a service, by name. */
function volumeAt(service: Service, target: string): string | undefined {
  return service.volumes?.find((volume) => volume.split(':')[1] === target)?.split(':')[0];
}

describe('compose.yaml', () => {
  test('Redis keeps an append-only file on a volume and never evicts', () => {
    assert.ok(redis);
    assert.equal(redis.command?.[0], 'redis-server');
    assert.equal(optionValue(redis.command, '--appendonly'), 'yes');
    assert.equal(optionValue(redis.command, '--maxmemory-policy'), 'noeviction');
    assert.ok(volumeAt(redis, '/data'), 'a volume at /data, where redis-server writes');
  });

  test("the web and worker services run the Procfile's commands, word for word", () => {
    assert.deepEqual(web?.command, procfileArgv('web'));
    assert.deepEqual(worker?.command, procfileArgv('worker'));
    assert.equal(worker?.image, web?.image, 'one image');
    assert.ok(web?.build && worker?.build, 'both build it (compose never pulls it from a registry)');
  });

  test('every environment variable it sets is a setting of the service', () => {
    const known = new Set(Object.keys(SETTINGS));
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === 'redis') continue;
      for (const variable of Object.keys(service.environment ?? {})) assert.ok(known.has(variable), `${name}: ${variable} is not in src/config/settings.ts`);
    }
  });

  test('web and worker read .env, in production, on the Redis service, sharing DATA_DIR on a volume', () => {
    for (const service of [web, worker]) {
      assert.ok(service);
      assert.deepEqual([service.env_file].flat(), ['.env']);
      // Set in the file, NODE_ENV= (empty, as config/example.env has it) would win over the image's value.
      assert.equal(service.environment?.NODE_ENV, 'production');
      assert.equal(service.environment?.REDIS_URL, 'redis://redis:6379');
      const dataDir = String(service.environment?.DATA_DIR);
      assert.equal(volumeAt(service, dataDir), 'data', `DATA_DIR ${dataDir} is the shared volume`);
    }
  });

  test('the web port is published on loopback only, for the HTTPS proxy in front', () => {
    assert.deepEqual(web?.ports, [`127.0.0.1:${String(web?.environment?.PORT)}:${String(web?.environment?.PORT)}`]);
  });

  test('the worker scales: no fixed name, no published port, and its health check asks its own health port', () => {
    assert.equal(worker?.container_name, undefined);
    assert.equal(worker?.ports, undefined);
    assert.ok(worker?.environment?.WORKER_HEALTH_PORT, 'WORKER_HEALTH_PORT is set');
    assert.equal(worker.healthcheck?.test?.[0], 'CMD');
    assert.equal(worker.healthcheck.test[1], 'node');
    assert.match(worker.healthcheck.test.join(' '), /process\.env\.WORKER_HEALTH_PORT\+'\/healthz'/u);
  });

  test('a stop waits longer than the graceful shutdown takes', () => {
    for (const service of [web, worker]) assert.ok(seconds(service?.stop_grace_period) * 1000 > SETTINGS.SHUTDOWN_TIMEOUT_MS.default);
  });
});
