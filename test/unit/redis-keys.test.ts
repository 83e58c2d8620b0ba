import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { redisKeys } from '../../src/redis-keys.js';
import { REPORT_STATUSES } from '../../src/reports/state-machine.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

describe('Redis keys', () => {
  test('every key starts with the deployment prefix, and distinct parts get distinct keys', () => {
    const keys = redisKeys('p');
    const made = [
      keys.slotAnchor,
      keys.report.record('r1'),
      keys.report.history('r1'),
      keys.report.callbackBody('r1'),
      keys.report.rejectedCallbacks('r1'),
      keys.report.requeues('r1', 2),
      keys.reports.byCreated,
      keys.reports.awaiting,
      ...REPORT_STATUSES.map((status) => keys.reports.byStatus(status)),
      keys.reports.bySource('api'),
      keys.reports.bySource('schedule'),
      keys.reports.bySeries('s'),
      keys.reports.seriesLatest,
      keys.reports.seriesOf,
      keys.reports.queryScratch('t'),
      ...(['organization', 'application'] as const).flatMap((kind) => [
        keys.usage.resourcePoints(kind, 'o1'),
        keys.usage.resourceByPeriod(kind, 'o1'),
        keys.usage.resourceByWritten(kind, 'o1'),
        keys.usage.resources(kind),
        keys.usage.resourcesByName(kind),
      ]),
      keys.usage.instancePeriods('day'),
      keys.usage.instancePeriods('month'),
      keys.usage.organizationMonths('o1'),
      keys.usage.trendOrganizations,
      keys.usage.trendOrganizationsByWritten,
      keys.series('s'),
      keys.schedule.document('s1'),
      keys.schedule.ids,
      keys.schedule.lock,
      keys.schedule.delivery('s1', 'job'),
      keys.schedule.arrivedRuns('s1'),
      keys.schedule.missedRuns('s1'),
      keys.schedule.runsChecked('s1'),
      keys.missedRunCheckLock,
      keys.maintenanceLock,
      keys.archiveSweepCursor,
      keys.rateLimit('127.0.0.1', 1),
      keys.authFailures('127.0.0.1', 1),
      keys.ui.session('d'.repeat(64)),
      keys.ui.signInFailures('127.0.0.1', 1),
    ];
    for (const key of made) assert.ok(key.startsWith('p:'), key);
    assert.equal(new Set(made).size, made.length);
  });

  test('no module but src/redis-keys.ts makes a key from the prefix', () => {
    const offenders = sourceFiles('src')
      .filter((path) => !path.endsWith('redis-keys.ts'))
      .filter((path) => /prefix\}:|prefix \+ ':|prefix \.\. ':/u.test(readFileSync(path, 'utf8')));
    assert.deepEqual(offenders, []);
  });
});
