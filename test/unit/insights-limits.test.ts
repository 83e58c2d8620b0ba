import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { levelOf, percentOf } from '../../src/insights/levels.js';
import { instanceLimitFindings, organizationLimitFindings, type OrganizationFacts } from '../../src/insights/limits.js';

const period = { start: '2026-11-01T00:00:00.000Z', end: '2026-11-10T23:59:59.999Z' };

describe('usage against limits', () => {
  test('levels: below the threshold ok, from it warning, at 100% still warning, above over, without a limit unknown', () => {
    assert.equal(levelOf(79, 100, 80), 'ok');
    assert.equal(levelOf(80, 100, 80), 'warning');
    assert.equal(levelOf(100, 100, 80), 'warning');
    assert.equal(levelOf(101, 100, 80), 'over');
    assert.equal(levelOf(5, null, 80), 'unknown');
    assert.equal(levelOf(1, 0, 80), 'over');
    assert.equal(percentOf(85, 100), 85);
    assert.equal(percentOf(1, 3), 33.3);
    assert.equal(percentOf(1, null), null);
  });

  test("an organization's own limit wins over the instance's default, and a missing one is unknown, not guessed", () => {
    const facts = new Map<string, OrganizationFacts>([
      ['a', { id: 'a', name: 'A', limits: { payload: 1000, dashboard: 10 }, statics: { dashboardCount: 9, workflowCount: 3 } }],
      ['b', { id: 'b', name: 'B', limits: null, statics: {} }],
    ]);
    const findings = organizationLimitFindings({
      usage: [
        { id: 'a', name: 'A', payloads: 1250, devices: 5, notebookMinutes: null },
        { id: 'b', name: 'B', payloads: 850, devices: 5, notebookMinutes: 10 },
      ],
      facts,
      orgDefault: { payload: 1000 },
      period,
      warningPercent: 80,
    });
    const pick = (id: string, metric: string) => findings.find((f) => f.id === id && f.metric === metric);
    assert.deepEqual([pick('a', 'payloads')?.percent, pick('a', 'payloads')?.level, pick('a', 'payloads')?.limitSource], [125, 'over', 'organization']);
    assert.deepEqual([pick('b', 'payloads')?.percent, pick('b', 'payloads')?.level, pick('b', 'payloads')?.limitSource], [85, 'warning', 'orgDefault']);
    assert.deepEqual([pick('b', 'devices')?.limit, pick('b', 'devices')?.percent, pick('b', 'devices')?.level], [null, null, 'unknown']);
    assert.equal(pick('a', 'static:dashboard')?.percent, 90);
    assert.equal(pick('a', 'static:flow'), undefined, 'a static resource without a limit is left out');
    assert.equal(pick('a', 'notebookMinutes'), undefined, 'a column the report lacks is left out');
  });

  test("the instance's totals are compared with the instance's limits", () => {
    const findings = instanceLimitFindings({
      id: 'i',
      name: 'I',
      limits: { payload: 2000, organization: 4 },
      used: { payloads: 1000, devices: 3, notebookMinutes: null, organizations: 4 },
      period,
      warningPercent: 80,
    });
    assert.deepEqual(
      findings.map((f) => [f.metric, f.percent, f.level]),
      [
        ['payloads', 50, 'ok'],
        ['devices', null, 'unknown'],
        ['static:organization', 100, 'warning'],
      ],
    );
  });
});
