import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { argsOf, envOf, execForm, healthcheckOf, readDockerfile } from '../helpers/dockerfile.js';
import { layOutImageFiles } from '../helpers/image-files.js';
import { deleteKeys, REDIS_URL, testRedis, uniquePrefix } from '../helpers/redis.js';
import { ensureBuilt, ROOT } from '../reliability/helpers/build.js';
import { freePort } from '../reliability/helpers/ports.js';
import { msg, serviceEnv, spawnNode, type ServiceProcess } from '../reliability/helpers/processes.js';

/*
 * The web image without a Docker engine: its start command (the Dockerfile's CMD) with its
 * environment (ENV) from a folder holding only what the Dockerfile copies into it, as ui-dist.test.ts
 * runs the build from the work tree. A runtime file the Dockerfile forgets (the dashboard's assets,
 * package.json) fails here. The settings a deployment adds (.env) are the tests' usual ones.
 */

const stages = readDockerfile(join(ROOT, 'Dockerfile'));
const runtime = stages.at(-1)!;
const prefix = uniquePrefix('image-web');
const dir = mkdtempSync(join(tmpdir(), 'report-relay-image-'));
let web: ServiceProcess;
let port: number;
let containerEnv: Record<string, string>;

const run = promisify(execFile);

/** The image's HEALTHCHECK command's exit code, run in the image's folder with the given PORT. */
async function healthcheck(checkedPort: number): Promise<number> {
  const [command, ...args] = healthcheckOf(runtime);
  assert.equal(command, 'node');
  try {
    await run(process.execPath, args, { cwd: dir, env: { ...containerEnv, PORT: String(checkedPort) }, timeout: 30_000 });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

describe('the web image: its command and environment, from its own files', () => {
  before(async () => {
    await ensureBuilt();
    layOutImageFiles(stages, ROOT, dir);
    port = await freePort();
    // DATA_DIR: the image's default (./data in its WORKDIR), here in the image's folder.
    containerEnv = { ...serviceEnv({ port, redisUrl: REDIS_URL, prefix, dataDir: join(dir, 'data') }), ...envOf(runtime) };
    const [command, ...args] = execForm(argsOf(runtime, 'CMD').at(-1)!);
    assert.equal(command, 'node');
    web = spawnNode(args, containerEnv, 'image-web', dir);
    await web.waitForLog(msg('web listening'));
  });
  after(async () => {
    await web?.kill();
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  test('runs in production and answers /healthz', async () => {
    assert.equal(containerEnv.NODE_ENV, 'production');
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
  });

  test("the image's HEALTHCHECK passes while the web process answers, and fails where nothing does", async () => {
    assert.equal(await healthcheck(port), 0);
    assert.equal(await healthcheck(await freePort()), 1);
  });

  test("serves the dashboard's assets from the image's files", async () => {
    for (const [path, type] of [
      ['/ui/assets/app.css', /text\/css/u],
      ['/ui/assets/vendor/echarts.min.js', /javascript/u],
    ] as const) {
      const asset = await fetch(`http://127.0.0.1:${port}${path}`);
      assert.equal(asset.status, 200, `${path}: ${web.stderr()}`);
      assert.match(asset.headers.get('content-type') ?? '', type, path);
      assert.ok((await asset.arrayBuffer()).byteLength > 0, path);
    }
  });
});
