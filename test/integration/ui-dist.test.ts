import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { deleteKeys, REDIS_URL, testRedis, uniquePrefix } from '../helpers/redis.js';
import { ensureBuilt } from '../reliability/helpers/build.js';
import { freePort } from '../reliability/helpers/ports.js';
import { msg, serviceEnv, spawnService, type ServiceProcess } from '../reliability/helpers/processes.js';

/*
 * The dashboard from the build (`npm run build`, then `node dist/src/web.js` as `npm run start:web`
 * does): its assets live in src/ui/assets/, not in dist/, and must be found from there too.
 */

const prefix = uniquePrefix('ui-dist');
let web: ServiceProcess;
let baseUrl: string;

describe('dashboard served by the built web process', () => {
  before(async () => {
    await ensureBuilt();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    web = spawnService('web', serviceEnv({ port, redisUrl: REDIS_URL, prefix, extra: { REDIS_REQUIRE_NOEVICTION: 'false' } }), 'ui-dist-web');
    await web.waitForLog(msg('web listening'));
  });
  after(async () => {
    await web?.kill();
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  test('serves the sign-in page, the stylesheet, the icon and ECharts, and signs in', async () => {
    const page = await fetch(`${baseUrl}/ui/sign-in`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<label for="token">Admin token<\/label>/u);
    for (const [path, type] of [
      ['/ui/assets/app.css', /text\/css/u],
      ['/ui/assets/favicon.svg', /image\/svg\+xml/u],
      ['/ui/assets/status-chart.js', /javascript/u],
      ['/ui/assets/vendor/echarts.min.js', /javascript/u],
    ] as const) {
      const asset = await fetch(`${baseUrl}${path}`);
      assert.equal(asset.status, 200, `${path}: ${web.stderr()}`);
      assert.match(asset.headers.get('content-type') ?? '', type, path);
      assert.ok((await asset.arrayBuffer()).byteLength > 0, path);
    }
    const signIn = await fetch(`${baseUrl}/ui/sign-in`, {
      method: 'POST',
      headers: { origin: baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TEST_ADMIN_TOKEN }),
      redirect: 'manual',
    });
    assert.equal(signIn.status, 303);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const overview = await fetch(`${baseUrl}/ui`, { headers: { cookie } });
    assert.equal(overview.status, 200);
    assert.match(await overview.text(), /<h1>Overview<\/h1>/u);
  });
});
