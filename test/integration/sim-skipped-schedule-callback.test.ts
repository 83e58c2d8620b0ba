import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { createLosantClient } from '../../src/losant/client.js';
import { startSimulator } from '../../src/sim/index.js';

/** The simulator's skipScheduledCallbacks fault: a scheduled run that fires but never calls back. */
describe('simulator: skipped scheduled callbacks', () => {
  test('the next run of the named config fires without calling back; other configs and later runs call back', async () => {
    const paths: string[] = [];
    const receiver = createServer((req, res) => {
      paths.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const sim = await startSimulator({ reportDelayMs: 1 });
    try {
      const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      const client = createLosantClient({ baseUrl: sim.url, token: sim.token, instanceId: sim.instanceId });
      const instance = await client.patch({
        reportConfigs: [
          { cron: '0 4 * * *', callbackUrl: `${base}/skipped` },
          { cron: '0 4 * * *', callbackUrl: `${base}/other` },
        ],
      });
      const [skipped, other] = (instance.reportConfigs ?? []).map((config) => config.id ?? '');
      assert.ok(skipped && other);
      sim.setFaults({ skipScheduledCallbacks: { count: 1, configId: skipped } });

      const otherRun = await sim.triggerReportConfig(other);
      assert.equal(otherRun.callbacks.length, 1, 'another config calls back');
      const dropped = await sim.triggerReportConfig(skipped);
      assert.deepEqual([dropped.state, dropped.callbackSkipped, dropped.callbacks.length], ['done', true, 0]);
      assert.ok(dropped.firedAt instanceof Date, 'the run names the time it fired for');
      const next = await sim.triggerReportConfig(skipped);
      assert.deepEqual([next.callbackSkipped, next.callbacks.map((outcome) => outcome.status)], [undefined, [204]], 'one run only was skipped');
      assert.deepEqual(paths, ['/other', '/skipped']);
    } finally {
      await sim.close();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
