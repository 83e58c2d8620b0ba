import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareDaily, dailyFigures, payloadDriver } from '../../src/insights/reconciliation.js';

describe('reconciliation with Losant counts', () => {
  test('a day whose difference is above the tolerance is flagged with both numbers; equal days are not', () => {
    const report = dailyFigures([
      { date: '2026-11-01T00:00:00.000Z', value: 100 },
      { date: '2026-11-02T00:00:00.000Z', value: 120 },
      { date: '2026-11-03T00:00:00.000Z', value: 5 },
    ]);
    const losant = dailyFigures([
      { date: '2026-11-01T00:00:00.000Z', value: 100 },
      { date: '2026-11-02T00:00:00.000Z', value: 100 },
    ]);
    const differences = compareDaily('payloads', report, losant, 0.01);
    assert.equal(differences.length, 2, 'a day on one side only is not compared');
    assert.deepEqual(
      differences.map((d) => [d.period.start, d.report, d.losant, d.difference, d.flagged]),
      [
        ['2026-11-01T00:00:00.000Z', 100, 100, 0, false],
        ['2026-11-02T00:00:00.000Z', 120, 100, 20, true],
      ],
    );
  });

  test('a difference within the tolerance is not flagged', () => {
    const differences = compareDaily('devices', new Map([['2026-11-01', 1005]]), new Map([['2026-11-01', 1000]]), 0.01);
    assert.equal(differences[0]?.flagged, false);
  });

  test('hours fold into their day', () => {
    const figures = dailyFigures([
      { date: '2026-11-01T00:00:00.000Z', value: 1 },
      { date: '2026-11-01T13:00:00.000Z', value: 2 },
    ]);
    assert.deepEqual([...figures], [['2026-11-01', 3]]);
  });

  test('the largest payload sources come first with their shares', () => {
    const driver = payloadDriver({ start: 'a', end: 'b' }, 100, { mqttIn: { 'device.mqtt': 75 }, webhook: { 'flow.flow': 25, other: 0 } });
    assert.deepEqual(driver.sources, [
      { source: 'mqttIn/device.mqtt', count: 75, share: 0.75 },
      { source: 'webhook/flow.flow', count: 25, share: 0.25 },
    ]);
  });
});
