import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACCEPT_CALLBACK, APPLY_OPERATION, CREATE_REPORT } from '../../src/reports/lua.js';
import {
  AWAITING_CALLBACK,
  AWAITING_DEADLINE,
  IN_PIPELINE,
  MAIN_LINE,
  MOVES,
  REPORT_STATUSES,
  canMove,
  movesInto,
  type ReportStatus,
} from '../../src/reports/state-machine.js';

const pairs = REPORT_STATUSES.flatMap((from) => REPORT_STATUSES.map((to) => [from, to] as const));

function reachableFrom(start: readonly ReportStatus[]): Set<ReportStatus> {
  const seen = new Set(start);
  const queue = [...start];
  for (let status = queue.shift(); status !== undefined; status = queue.shift()) {
    for (const next of MOVES[status]) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

describe('report state machine table', () => {
  test('every status has a row, and every move names a known status', () => {
    assert.deepEqual(Object.keys(MOVES).sort(), [...REPORT_STATUSES].sort());
    for (const [from, targets] of Object.entries(MOVES)) {
      for (const to of targets) assert.ok(REPORT_STATUSES.includes(to), `${from} -> ${to}`);
    }
  });

  test('no status moves to itself (an update in place is an annotation, not a move)', () => {
    for (const status of REPORT_STATUSES) assert.equal(canMove(status, status), false, status);
  });

  test('along the main line a status only moves forward', () => {
    for (const [from, to] of pairs) {
      if (!MAIN_LINE.includes(from) || !MAIN_LINE.includes(to) || !canMove(from, to)) continue;
      assert.ok(MAIN_LINE.indexOf(to) > MAIN_LINE.indexOf(from), `${from} -> ${to} goes backwards`);
    }
  });

  test('delivered is final, and the one way out of failed or unrecognized is a new run at callback_received', () => {
    assert.deepEqual(MOVES.delivered, []);
    assert.deepEqual(MOVES.failed, ['callback_received']);
    assert.deepEqual(MOVES.unrecognized, ['callback_received']);
  });

  test('a report waiting for its callback cannot skip to the pipeline, and the pipeline cannot go back to waiting', () => {
    for (const [from, to] of pairs) {
      if (AWAITING_CALLBACK.includes(from) && IN_PIPELINE.includes(to)) assert.equal(canMove(from, to), to === 'callback_received', `${from} -> ${to}`);
      if (IN_PIPELINE.includes(from) && AWAITING_CALLBACK.includes(to)) assert.equal(canMove(from, to), false, `${from} -> ${to}`);
    }
  });

  test('every status is reachable from the two ways a record is created, and every pipeline status can end', () => {
    assert.deepEqual([...reachableFrom(['requested'])].sort(), [...REPORT_STATUSES].sort());
    for (const status of IN_PIPELINE) {
      assert.ok(canMove(status, 'failed'), `${status} can fail`);
      assert.ok(canMove(status, 'delivered'), `${status} can be delivered (steps whose markers say done are skipped)`);
    }
    for (const status of AWAITING_DEADLINE) assert.ok(AWAITING_CALLBACK.includes(status), status);
  });

  test('movesInto lists exactly the statuses the table lets into a status', () => {
    for (const to of REPORT_STATUSES) {
      assert.deepEqual(
        movesInto(to),
        REPORT_STATUSES.filter((from) => (MOVES[from] as readonly string[]).includes(to)),
      );
    }
  });

  test('the scripts carry the table: each lists every move and no other', () => {
    for (const script of [CREATE_REPORT, APPLY_OPERATION, ACCEPT_CALLBACK]) {
      for (const from of REPORT_STATUSES) {
        const row = new RegExp(`\\['${from}'\\] = \\{([^}]*)\\}`, 'u').exec(script);
        assert.ok(row, `the script has a row for ${from}`);
        const targets = [...(row[1] ?? '').matchAll(/\['([a-z_]+)'\] = true/gu)].map((match) => match[1]);
        assert.deepEqual(targets, [...MOVES[from]], from);
      }
    }
  });

  test('every key a script touches comes from KEYS: no script builds a key of its own', () => {
    // Names the scripts bind to KEYS entries (the status index map is filled from KEYS too).
    const fromKeys = /^(KEYS\[\d+\]|index\[[a-z_]+\]|record_key|history_key|awaiting_key)$/u;
    for (const script of [CREATE_REPORT, APPLY_OPERATION, ACCEPT_CALLBACK]) {
      const calls = [...script.matchAll(/redis\.call\('([A-Z]+)', ([^,)]+)/gu)];
      assert.ok(calls.length > 3, 'the scripts call Redis');
      for (const [, command, key] of calls) assert.match(key ?? '', fromKeys, `${command} ${key ?? ''}`);
      assert.doesNotMatch(script, /prefix|\.\. ':/u, 'no key is concatenated inside a script');
    }
  });
});
