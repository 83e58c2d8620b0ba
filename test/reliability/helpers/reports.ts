import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ReportView } from '../../../src/http/contract/report-view.js';
import type { ReportStatus } from '../../../src/reports/record.js';
import type { Simulator } from '../../../src/sim/index.js';
import { redisKeys } from '../../../src/redis-keys.js';
import { TEST_ADMIN_TOKEN } from '../../helpers/config.js';
import { testRedis } from '../../helpers/redis.js';

/** Reports driven through the admin API of a running service (in this process or a child). */

export const adminHeaders = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'Content-Type': 'application/json' };

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/**
 * Requests a report from a simulator started with `faults: { noCallback: true }` and returns the
 * callback URL Losant was given, so the test can call back itself, when and how it likes.
 */
export async function requestAwaitingReport(baseUrl: string, sim: Simulator, body: Record<string, unknown>): Promise<{ id: string; callbackUrl: string }> {
  // One report job at a time per instance, as on Losant.
  const previous = sim.jobs.at(-1);
  if (previous) await sim.waitForJob(previous.jobId, 20_000);
  const response = await fetch(`${baseUrl}/admin/reports`, { method: 'POST', headers: adminHeaders, body: JSON.stringify(body) });
  const answer = (await response.json()) as { report?: { id: string } };
  if (response.status !== 202 || !answer.report) throw new Error(`report request answered ${response.status}: ${JSON.stringify(answer)}`);
  const id = answer.report.id;
  const sent = sim.requests.filter((entry) => entry.action === 'generateReport').map((entry) => entry.body as { callbackUrl?: string });
  const callbackUrl = sent.map((entry) => entry.callbackUrl).find((url) => url?.includes(`/callbacks/r/${id}/`));
  if (!callbackUrl) throw new Error(`the simulator was not given a callback URL for ${id}`);
  return { id, callbackUrl };
}

/** Requests a report for `recipients` and calls back naming `downloadUrl`, as Losant would; returns the report id once the callback is stored. */
export async function reportCallingBack(baseUrl: string, sim: Simulator, downloadUrl: string): Promise<string> {
  const { id, callbackUrl } = await requestAwaitingReport(baseUrl, sim, { recipients: ['ops@example.com'] });
  const response = await fetch(callbackUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ url: downloadUrl }) });
  if (response.status !== 202) throw new Error(`the callback answered ${response.status}`);
  return id;
}

/** Email hand-offs started, as the store counts them (bookkeeping the admin API does not show). */
export async function emailAttempts(prefix: string, id: string): Promise<number> {
  const redis = testRedis();
  try {
    return Number(await redis.hget(redisKeys(prefix).report.record(id), 'emailAttempts'));
  } finally {
    redis.disconnect();
  }
}

export async function getReport(baseUrl: string, id: string): Promise<ReportView> {
  const response = await fetch(`${baseUrl}/admin/reports/${id}`, { headers: adminHeaders });
  if (response.status !== 200) throw new Error(`GET report ${id} answered ${response.status}`);
  return ((await response.json()) as { report: ReportView }).report;
}

/** Polls the admin API until the report reaches one of `statuses`; the error names its last state. */
export async function waitForReport(baseUrl: string, id: string, statuses: ReportStatus[], timeoutMs = 20_000): Promise<ReportView> {
  const deadline = Date.now() + timeoutMs;
  let last: ReportView | null = null;
  while (Date.now() < deadline) {
    try {
      last = await getReport(baseUrl, id);
      if (statuses.includes(last.status)) return last;
    } catch {
      // The web process may be restarting or Redis away; keep polling until the deadline.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `report ${id} did not reach ${statuses.join('/')}; last: ${JSON.stringify(last && { status: last.status, error: last.error, history: last.history })}`,
  );
}

/** How many history entries have a note matching `pattern` (each effect leaves one: "CSV archived at ..."). */
export function notesMatching(record: { history: ReadonlyArray<{ note?: string | undefined }> }, pattern: RegExp): number {
  return record.history.filter((entry) => pattern.test(entry.note ?? '')).length;
}

/** Every file under DATA_DIR/archive that belongs to the report (temp files included, so a leftover shows). */
export function archiveFiles(dataDir: string, reportId: string): string[] {
  const root = join(dataDir, 'archive');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && join(entry.parentPath, entry.name).includes(`/${reportId}/`))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** A report record waiting for its callback, written straight into the store (no Losant request). */
export { createAwaitingReport } from '../../helpers/reports.js';
