import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createService } from '../../src/service.js';
import { silentLogger } from '../helpers/logger.js';
import { createAwaitingReport } from '../helpers/reports.js';
import { startService, type RunningService } from '../helpers/service.js';

/**
 * A first delivery that cannot be used does not swallow the real one: an empty body is refused,
 * a repeat is recognized by its content, and a different body is kept as a new version of the
 * callback and processed when the current one turns out unusable.
 */

const CSV = 'resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\norganization,o2,Beta,5\n';
const UNUSABLE = JSON.stringify({ note: 'nothing a report can be made of' });
let service: RunningService;

const post = (path: string, body: string, type = 'text/csv') => request(service.url).post(path).set('Content-Type', type).send(body);

describe('callback versions (no worker)', () => {
  before(async () => {
    service = await startService({ worker: false, name: 'cb-versions' });
  });
  after(async () => {
    await service.stop();
  });

  test('an empty body is refused with 400 and nothing is stored; the real body afterwards is accepted', async () => {
    const report = await createAwaitingReport(service.store, service.url);
    const empty = await request(service.url).post(report.path).set('Content-Type', 'application/json');
    assert.equal(empty.status, 400, empty.text);
    assert.equal(empty.body.error.code, 'callback_empty');
    assert.equal((await service.store.get(report.id))?.status, 'requested', 'nothing was stored');
    assert.equal(await service.store.getCallbackBody(report.id), null);

    const real = await post(report.path, CSV);
    assert.equal(real.status, 202, real.text);
    assert.equal((await service.store.getCallbackBody(report.id))?.toString(), CSV);
  });

  test('an identical repeat is a duplicate; a different body while the first is processed is kept as a version, not processed', async () => {
    const report = await createAwaitingReport(service.store, service.url);
    assert.equal((await post(report.path, UNUSABLE, 'application/json')).status, 202);
    const repeat = await post(report.path, UNUSABLE, 'application/json');
    assert.deepEqual([repeat.status, repeat.body.duplicate], [200, true]);
    const other = await post(report.path, CSV);
    assert.deepEqual([other.status, other.body.kept], [202, true], other.text);
    const again = await post(report.path, CSV);
    assert.deepEqual([again.status, again.body.duplicate], [200, true], 'a repeat of a kept version is a duplicate too');
    assert.equal((await service.store.getCallbackBody(report.id))?.toString(), UNUSABLE, 'the current callback is unchanged');
    assert.equal((await service.store.get(report.id))?.runs, 1, 'no new run');
  });

  test('when the current callback turns out unusable, the kept version is processed and the report delivered', async () => {
    const report = await createAwaitingReport(service.store, service.url, { email: false, archive: true, recipients: [] });
    assert.equal((await post(report.path, UNUSABLE, 'application/json')).status, 202);
    assert.equal((await post(report.path, CSV)).status, 202);
    // A worker starts only now: it finds the first body unusable, then processes the kept one.
    const worker = await createService({ config: service.config, role: 'worker', overrides: { logger: silentLogger() }, maintenanceIntervalMs: 500 });
    await worker.start();
    try {
      const record = await service.waitForStatus(report.id, ['delivered', 'failed']);
      assert.equal(record.status, 'delivered', JSON.stringify(record.error));
      assert.equal(record.summary?.rows, 2);
      assert.ok(
        record.history.some((entry) => entry.status === 'unrecognized'),
        'the first body was found unusable',
      );
    } finally {
      await worker.close();
    }
  });

  test('a different body after the report was found unusable starts a new run at once', async () => {
    const report = await createAwaitingReport(service.store, service.url, { email: false, archive: true, recipients: [] });
    assert.equal((await post(report.path, UNUSABLE, 'application/json')).status, 202);
    const worker = await createService({ config: service.config, role: 'worker', overrides: { logger: silentLogger() }, maintenanceIntervalMs: 500 });
    await worker.start();
    try {
      await service.waitForStatus(report.id, ['unrecognized']);
      const real = await post(report.path, CSV);
      assert.equal(real.status, 202, real.text);
      const record = await service.waitForStatus(report.id, ['delivered', 'failed']);
      assert.equal(record.status, 'delivered', JSON.stringify(record.error));
      assert.equal(record.runs, 2);
    } finally {
      await worker.close();
    }
  });
});
