import { randomBytes } from 'node:crypto';
import type { ReportRequest } from '../../src/reports/record.js';
import { generateId, generateSecret, hashSecret } from '../../src/reports/secrets.js';
import { seriesKeyForRequest } from '../../src/reports/series.js';
import type { ReportStore } from '../../src/reports/store.js';

/** A report record as `POST /admin/reports` leaves it once Losant accepted: waiting for its callback. */
export interface AwaitingReport {
  id: string;
  /** Losant's job id as recorded; a callback body naming it is the normal case. */
  jobId: string;
  /** `/callbacks/r/<id>/<secret>`: where Losant would call back. */
  callbackPath: string;
}

const REQUEST: ReportRequest = { start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z', resourceGroupBy: 'application', dateGroupBy: 'day' };

/** A Losant-like job id: 21 URL-safe characters. */
function losantJobId(): string {
  return randomBytes(16).toString('base64url').slice(0, 21);
}

/**
 * Creates `count` report records through the real store (each with its own secret, stored as a
 * hash only) and moves them to `accepted` with a Losant job id, as the requester does. Runs
 * `concurrency` creations at a time so tens of thousands take seconds, not minutes.
 */
export async function createAwaitingReports(
  store: ReportStore,
  count: number,
  options: { recipients: string[]; concurrency?: number; overdueMs?: number },
): Promise<AwaitingReport[]> {
  const reports: AwaitingReport[] = new Array<AwaitingReport>(count);
  const seriesKey = seriesKeyForRequest(REQUEST);
  const overdueAt = new Date(Date.now() + (options.overdueMs ?? 6 * 3_600_000));
  let next = 0;
  const one = async (index: number): Promise<void> => {
    const id = generateId('r');
    const secret = generateSecret();
    const jobId = losantJobId();
    await store.create({
      id,
      source: 'api',
      scheduleId: null,
      request: REQUEST,
      delivery: { email: options.recipients.length > 0, archive: true, recipients: options.recipients },
      seriesKey,
      secretHash: hashSecret(secret),
      status: 'requested',
      overdueAt,
      note: 'created by the benchmark',
    });
    const moved = await store.markAccepted(id, { jobId, acceptedAt: new Date().toISOString(), legacy: false }, `Losant queued job ${jobId}`);
    if (!moved.ok) throw new Error(`report ${id} could not be moved to accepted`);
    reports[index] = { id, jobId, callbackPath: `/callbacks/r/${id}/${secret}` };
  };
  const lanes = Array.from({ length: Math.min(options.concurrency ?? 64, count) }, async () => {
    for (let index = next++; index < count; index = next++) await one(index);
  });
  await Promise.all(lanes);
  return reports;
}

/** The body Losant most plausibly posts: its job result naming the job and a download link. */
export function callbackBody(report: Pick<AwaitingReport, 'id' | 'jobId'>, downloadUrl: string): string {
  return JSON.stringify({ jobId: report.jobId, status: 'completed', success: true, url: downloadUrl });
}
