/**
 * The README's quick start, run as a user runs it: the command `npm run demo` runs (read from
 * package.json, after its Redis check), with the environment the README implies (a Redis at
 * REDIS_URL, no SMTP_URL), on this test's own key prefix, port and data folder. Only what the demo
 * prints is used to find its report, the email, the archived CSV, the address and the admin token.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { simpleParser } from 'mailparser';
import { attachedFiles } from '../helpers/email-parts.js';
import { adminRouteFor, answerBodyFor } from '../../src/http/contract/admin-answers.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';
import { startTestSmtpServer } from '../helpers/smtp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Generous: the demo's own wait is 60 s, and the machine may be busy. */
const RUN_DEADLINE_MS = 120_000;

/** `npm run demo` is "<redis check> && tsx scripts/demo.ts": the last command, run from node_modules/.bin as npm does. */
function demoCommand(): { command: string; args: string[] } {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const [bin, ...args] = String(manifest.scripts.demo).split('&&').at(-1)!.trim().split(/\s+/u);
  assert.equal(bin, 'tsx', `npm run demo runs ${String(manifest.scripts.demo)}`);
  return { command: join(ROOT, 'node_modules', '.bin', bin), args };
}

interface DemoRun {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the exit code (null when killed by a signal); the process is killed if it outlives RUN_DEADLINE_MS. */
  exited: Promise<number | null>;
  /** Resolves with stdout once it matches; rejects if the process exits first or the deadline passes. */
  waitFor(pattern: RegExp): Promise<string>;
}

const prefixes: string[] = [];
const dirs: string[] = [];
const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Starts the demo on its own Redis key prefix, a free port and a fresh data folder. */
async function startDemo(args: string[], env: Record<string, string> = {}): Promise<DemoRun & { prefix: string; dataDir: string }> {
  const prefix = uniquePrefix('demo');
  const dataDir = await mkdtemp(join(tmpdir(), 'demo-test-'));
  prefixes.push(prefix);
  dirs.push(dataDir);
  // The README's quick start sets none of these: the demo's own defaults apply, whatever this shell has.
  const unset = new Set(['SMTP_URL', 'SMTP_REQUIRE_TLS', 'REPORT_EMAIL_TO', 'LOG_LEVEL', 'NODE_ENV']);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !unset.has(name)));
  const { command, args: demoArgs } = demoCommand();
  const child = spawn(command, [...demoArgs, ...args], {
    cwd: ROOT,
    env: { ...inherited, REDIS_PREFIX: prefix, PORT: '0', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, as a shell runs a command: tsx runs the script in a child process, and
    // a demo that outlives its deadline is killed with it.
    detached: true,
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => killGroup(child), RUN_DEADLINE_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve(code);
    });
  });
  const waitFor = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(stdout)) return;
        child.stdout?.off('data', check);
        resolve(stdout);
      };
      child.stdout?.on('data', check);
      check();
      void exited.then((code) => reject(new Error(`the demo exited (${code}) before printing ${pattern}\n${stdout}\n${stderr}`)));
    });
  return {
    child,
    prefix,
    dataDir,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitFor,
  };
}

/** The value of the line that starts with `label`, as the demo prints it ("label   value"). */
function line(output: string, label: RegExp): string {
  const match = new RegExp(`^${label.source}\\s+(\\S.*)$`, 'mu').exec(output);
  assert.ok(match?.[1], `no "${label.source}" line in:\n${output}`);
  return match[1];
}

/** Whether connecting to the port is refused: nothing listens there any more. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

after(async () => {
  for (const child of running) killGroup(child);
  const redis = testRedis();
  try {
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('npm run demo (scripts/demo.ts), as the README quick start runs it', () => {
  test("delivers this month's report so far, prints its summary and insights, and the email and the archived CSV are where it says", async () => {
    const demo = await startDemo([]);
    const code = await demo.exited;
    const output = demo.stdout;
    assert.equal(code, 0, `${output}\n${demo.stderr}`);

    const delivered = /^Report (\S+) delivered: (.+)$/mu.exec(output);
    assert.ok(delivered, output);
    const [, reportId, history] = delivered;
    assert.match(history!, /^requested -> .* -> delivered$/u);
    const rows = /^Rows (\d+) \((\d+) bad\), (\d+) organizations, /mu.exec(output);
    assert.ok(rows, output);
    assert.ok(Number(rows[1]) > 0 && Number(rows[3]) > 0, output);
    assert.match(output, /^Top by .+:\n {2}\S/mu);
    // The simulator puts organizations over and near their payload limit in the reported days.
    assert.match(output, /^ {2}over {4}.+ payloads: [\d,]+ of [\d,]+ \(125%\)$/mu);
    assert.match(output, /^ {2}warning .+ payloads: [\d,]+ of [\d,]+ \(85%\)$/mu);
    assert.match(output, /^ {2}reconciliation with Losant's counts: [1-9]\d* comparisons, 0 above 1%$/mu);
    assert.match(output, /^-> 200, 12 months, [1-9]\d* organizations, [1-9]\d* monthly points$/mu, 'the demo backfills the past months first');
    assert.match(output, /^ {2}movers \d{4}-\d{2} -> \d{4}-\d{2} \(payloads, [1-9]\d* organizations\): up .+; down .+$/mu);

    const emailPath = line(output, /Email/u);
    assert.equal(emailPath, join(demo.dataDir, 'outbox', `report-${reportId}@report-relay.eml`));
    const email = await simpleParser(await readFile(emailPath));
    assert.deepEqual(email.to && !Array.isArray(email.to) ? email.to.value.map((to) => to.address) : email.to, ['billing@example.com']);
    assert.equal(email.messageId, `<report-${reportId}@report-relay>`);
    assert.deepEqual(
      attachedFiles(email).map((file) => file.contentType),
      ['text/csv'],
    );

    const csvPath = line(output, /Archived CSV/u);
    assert.ok(csvPath.startsWith(join(demo.dataDir, 'archive')), csvPath);
    const records: unknown[] = parse(await readFile(csvPath), { columns: true });
    assert.equal(records.length, Number(rows[1]) + Number(rows[2]), 'the archived CSV holds the rows the summary counted');
    assert.ok(existsSync(line(output, /Summary JSON/u)));

    // The report is in Redis under the prefix the demo was given, and nowhere else.
    const redis = testRedis();
    try {
      assert.ok(
        (await redis.keys(`${demo.prefix}:*`)).some((key) => key.includes(reportId!)),
        'the report record is under REDIS_PREFIX',
      );
      assert.equal((await redis.keys(`report-relay-demo:*${reportId!}*`)).length, 0);
    } finally {
      redis.disconnect();
    }
  });

  test('--keep answers the admin API at the printed address with the printed token until SIGTERM, then exits 0 and closes its ports', async () => {
    const demo = await startDemo(['--keep']);
    const output = await demo.waitFor(/^or open the dashboard at .*\n/mu);
    const reportId = /^Report (\S+) delivered: /mu.exec(output)?.[1];
    assert.ok(reportId, output);
    const baseUrl = line(output, /report-relay/u);
    const token = line(output, /admin token/u).split(/\s/u)[0]!;
    assert.match(token, /^[0-9a-f]{32,}$/u);
    assert.match(output, new RegExp(`^  curl -H 'Authorization: Bearer ${token}' ${baseUrl}/admin/reports$`, 'mu'));

    assert.equal(line(output, /dashboard/u), `${baseUrl}/ui  (sign in by pasting the admin token above)`);
    assert.match(output, new RegExp(`^or open the dashboard at ${baseUrl}/ui and paste the admin token ${token}$`, 'mu'));
    const dashboard = await fetch(`${baseUrl}/ui/sign-in`, {
      method: 'POST',
      headers: { origin: baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
      redirect: 'manual',
    });
    assert.equal(dashboard.status, 303, 'the printed token signs in to the dashboard');

    const answer = await fetch(`${baseUrl}/admin/reports`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(answer.status, 200);
    // as: checked against the admin contract below.
    const body = (await answer.json()) as { items: Array<{ id: string; status: string }> };
    const contract = answerBodyFor(adminRouteFor('GET', '/admin/reports')!, 200);
    assert.ok(contract && typeof contract !== 'string' && contract.safeParse(body).success, JSON.stringify(body));
    assert.deepEqual(
      body.items.map((item) => [item.id, item.status]),
      [[reportId, 'delivered']],
    );
    assert.equal((await fetch(`${baseUrl}/admin/reports`)).status, 401, 'the admin API still wants the token');

    const port = Number(new URL(baseUrl).port);
    const simPort = Number(new URL(line(output, /Losant simulator/u).split(/\s/u)[0]!).port);
    demo.child.kill('SIGTERM');
    assert.equal(await demo.exited, 0, demo.stderr);
    assert.equal(await refused(port), true, 'report-relay no longer listens');
    assert.equal(await refused(simPort), true, 'the simulator no longer listens');
  });

  test('exits 1 saying where the report stands when it is not delivered within --timeout', async () => {
    // A mail server that defers every message (451): the email step would be retried for an hour.
    const smtp = await startTestSmtpServer({ failWith: { type: 'reply', code: 451, count: 1_000 } });
    try {
      const demo = await startDemo(['--timeout', '3'], { SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: 'false' });
      assert.equal(await demo.exited, 1, demo.stdout);
      assert.match(line(demo.stdout, /mail/u), new RegExp(`^sent through smtp://127\\.0\\.0\\.1:${smtp.port}$`, 'u'));
      const reportId = /^-> 202, report (\S+),/mu.exec(demo.stdout)?.[1];
      assert.ok(reportId, demo.stdout);
      assert.match(demo.stderr, new RegExp(`^Report ${reportId} was not delivered within 3 s: it is at (?!delivered)\\w+ \\(requested -> `, 'mu'));
      assert.match(demo.stderr, /^Wait longer with: npm run demo -- --timeout <seconds>/mu);
      assert.doesNotMatch(demo.stdout, /delivered:/u);
      assert.equal(smtp.messages.length, 0);
    } finally {
      await smtp.close();
    }
  });

  test('exits 1 with the step and the reason when the report fails', async () => {
    // A mail server that refuses the message (550): the report fails at once, no retry can help.
    const smtp = await startTestSmtpServer({ failWith: { type: 'reply', code: 550, count: 1_000 } });
    try {
      const demo = await startDemo([], { SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: 'false' });
      assert.equal(await demo.exited, 1, demo.stdout);
      const reportId = /^-> 202, report (\S+),/mu.exec(demo.stdout)?.[1];
      assert.match(demo.stderr, new RegExp(`^Report ${reportId} failed at the email step: \\w+: .*550`, 'mu'));
      assert.ok(smtp.attempts >= 1);
    } finally {
      await smtp.close();
    }
  });

  test('refuses a bad --timeout with its usage, before starting anything', async () => {
    const demo = await startDemo(['--timeout', 'soon']);
    assert.equal(await demo.exited, 2);
    assert.match(demo.stderr, /--timeout must be a number of seconds above 0, got "soon"\nUsage: npm run demo -- \[--keep\] \[--timeout <seconds>\]/u);
    assert.equal(demo.stdout, '');
  });
});
