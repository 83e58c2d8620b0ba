import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RedisClient } from '../redis-client.js';
import { z } from 'zod';
import type { ArchiveTarget } from '../delivery/archive.js';
import type { Logger } from '../log.js';
import { redisKeys } from '../redis-keys.js';
import { tryLease } from '../redis-lease.js';
import { IN_PIPELINE } from '../reports/state-machine.js';
import type { ReportStore } from '../reports/store.js';
import type { ResourceHistory, ResourceKind } from '../usage/resource-history.js';
import type { ReportQueue } from './queue.js';
import { errorCode, parseStored } from '../errors.js';

export interface MaintenanceDeps {
  redis: RedisClient;
  store: ReportStore;
  /** The resource histories whose index of names is swept; without it, the index is left alone. */
  resources?: Pick<ResourceHistory, 'sweepIndex'>;
  queue: Pick<ReportQueue, 'enqueue' | 'runState'>;
  prefix: string;
  logger: Logger;
  /** How long a record may sit in the pipeline with no queued job before it is enqueued again. */
  staleAfterMs?: number;
  /** How many times one run of a report is enqueued again before it is marked failed. */
  maxRequeues?: number;
  /** The workers' work directory (one folder per report); without it, work files are left alone. */
  workDir?: string;
  /** How long the work files of a report that is not running stay (WORK_FILES_RETENTION_HOURS). */
  workFilesRetentionMs?: number;
  /** The archive whose old files ARCHIVE_RETENTION_DAYS removes; without it (or a retention), the archive is kept whole. */
  archive?: Pick<ArchiveTarget, 'removeOlderThan'>;
  /** How long archived files stay after they were last written; null or undefined: forever. */
  archiveRetentionMs?: number | null;
  /** How many archived files one run looks at, at most (the next run goes on from there). */
  archiveFilesPerRun?: number;
  now?: () => Date;
}

export interface MaintenanceResult {
  overdue: number;
  requeued: number;
  swept: number;
  /** Organizations and applications taken out of the index of names: their whole history had expired. */
  resourcesForgotten: number;
  workFilesRemoved: number;
  archiveFilesRemoved: number;
}

/**
 * Archived files one maintenance run looks at: S3's page size. At one run a minute a pass over an
 * archive of ten years of daily reports (about 7,300 files) takes 8 runs.
 */
const ARCHIVE_FILES_PER_RUN = 1_000;

const RESOURCE_KINDS: readonly ResourceKind[] = ['organization', 'application'];

/**
 * Housekeeping that keeps the guarantees true when something went wrong elsewhere:
 * - reports whose callback has not come in time are marked overdue;
 * - reports stuck in the pipeline with no job (the enqueue after a stored callback failed,
 *   or a job was lost) are enqueued again — the outbox's other half;
 * - index entries of expired records are dropped, and names of organizations and applications
 *   whose every point expired leave the resource index (their pages answer 404);
 * - old work files, and archived files past ARCHIVE_RETENTION_DAYS, are removed.
 * Runs at start and then periodically; a Redis lock makes one worker do it at a time.
 */
export function createMaintenance(deps: MaintenanceDeps) {
  const now = deps.now ?? (() => new Date());
  const staleAfterMs = deps.staleAfterMs ?? 30_000;
  const maxRequeues = deps.maxRequeues ?? 3;
  const keys = redisKeys(deps.prefix);

  async function markOverdue(): Promise<number> {
    let count = 0;
    for (const id of await deps.store.overdueCandidates()) {
      const moved = await deps.store.markOverdue(id, 'no callback from Losant by the overdue deadline');
      if (moved.ok) count += 1;
      else await deps.store.forgetAwaiting(id);
    }
    return count;
  }

  async function requeueStuck(): Promise<number> {
    let count = 0;
    for (const status of IN_PIPELINE) {
      for (const id of await deps.store.idsInStatus(status)) {
        const record = await deps.store.get(id);
        if (!record || now().getTime() - Date.parse(record.updatedAt) < staleAfterMs) continue;
        const { state, remove } = await deps.queue.runState(id, record.runs);
        if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') continue;
        // A report whose job keeps dying (its worker crashes or is killed on it every time) would
        // otherwise be requeued forever: after a few requeues of the same run it is failed instead.
        const requeuesKey = keys.report.requeues(id, record.runs);
        const requeues = await deps.redis.incr(requeuesKey);
        await deps.redis.expire(requeuesKey, 7 * 86_400);
        if (requeues > maxRequeues) {
          const error = {
            step: 'internal' as const,
            code: 'job_keeps_stopping',
            message: `the report's job stopped without finishing ${requeues} times (its worker crashed or was killed each time); retry it once the cause is fixed`,
            permanent: false,
            at: now().toISOString(),
          };
          await deps.store.markFailed(id, { error }, `gave up after ${maxRequeues} requeues of run ${record.runs}`);
          deps.logger.error({ reportId: id, status, jobState: state, requeues }, 'report job keeps stopping; marked failed');
          continue;
        }
        await remove();
        await deps.queue.enqueue(id, record.runs);
        deps.logger.warn({ reportId: id, status, jobState: state, requeues }, 'report had no live job; enqueued again');
        count += 1;
      }
    }
    return count;
  }

  /**
   * Removes the work folders of reports that are not in the pipeline (delivered, failed,
   * unrecognized, or expired) once untouched for the retention: a failed 1 GB report would
   * otherwise keep its CSV, attachment and gzip copy forever. A retry needs none of them: it reads
   * the archived CSV, or downloads again.
   */
  async function removeOldWorkFiles(): Promise<number> {
    const { workDir } = deps;
    if (workDir === undefined) return 0;
    const cutoff = now().getTime() - (deps.workFilesRetentionMs ?? 24 * 60 * 60_000);
    let names: string[];
    try {
      names = await readdir(workDir);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      const dir = join(workDir, name);
      const changed = await stat(dir).then(
        (info) => info.mtimeMs,
        () => null,
      );
      if (changed === null || changed > cutoff) continue;
      const record = await deps.store.get(name).catch(() => null);
      if (record !== null && IN_PIPELINE.includes(record.status)) continue;
      await rm(dir, { recursive: true, force: true });
      removed += 1;
    }
    return removed;
  }

  /**
   * ARCHIVE_RETENTION_DAYS: removes archived files last written before the retention, a bounded
   * number per run. Where a run stopped is kept in Redis, not in this process, so that whichever
   * worker holds the maintenance lock next goes on from there instead of starting over. Report
   * records are not consulted: an archived report outlives its record when REPORT_RETENTION_DAYS
   * is the shorter, and is removed all the same.
   */
  async function removeOldArchiveFiles(): Promise<number> {
    const { archive, archiveRetentionMs } = deps;
    if (archive === undefined || archiveRetentionMs === undefined || archiveRetentionMs === null) return 0;
    const cursorKey = keys.archiveSweepCursor;
    const resumeAfter = parseStored(cursorKey, z.string().min(1).nullable(), await deps.redis.get(cursorKey));
    const sweep = await archive.removeOlderThan(new Date(now().getTime() - archiveRetentionMs), {
      limit: deps.archiveFilesPerRun ?? ARCHIVE_FILES_PER_RUN,
      resumeAfter,
    });
    // A cursor left behind when retention is switched off expires instead of staying forever.
    if (sweep.resumeAfter === null) await deps.redis.del(cursorKey);
    else await deps.redis.set(cursorKey, sweep.resumeAfter, 'EX', 7 * 86_400);
    return sweep.removed;
  }

  /** Every kind's resources whose history keys all expired (points go after the report retention). */
  async function forgetExpiredResources(): Promise<number> {
    const { resources } = deps;
    if (resources === undefined) return 0;
    let forgotten = 0;
    for (const kind of RESOURCE_KINDS) forgotten += await resources.sweepIndex(kind);
    return forgotten;
  }

  async function runOnce(lockMs = 30_000): Promise<MaintenanceResult | null> {
    const lease = await tryLease(deps.redis, keys.maintenanceLock, lockMs);
    if (lease === null) return null;
    try {
      const result = {
        overdue: await markOverdue(),
        requeued: await requeueStuck(),
        swept: await deps.store.sweepIndexes(),
        resourcesForgotten: await forgetExpiredResources(),
        workFilesRemoved: await removeOldWorkFiles(),
        archiveFilesRemoved: await removeOldArchiveFiles(),
      };
      if (Object.values(result).some((count) => count > 0)) deps.logger.info(result, 'maintenance done');
      return result;
    } finally {
      await lease.release();
    }
  }

  /** Runs now and every `intervalMs`; the returned function stops it. */
  function start(intervalMs: number): () => void {
    let stopped = false;
    const tick = () => {
      runOnce(intervalMs).catch((error: unknown) => {
        if (!stopped) deps.logger.warn({ err: error }, 'maintenance failed; will try again');
      });
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }

  return { runOnce, start, markOverdue, requeueStuck };
}
export type Maintenance = ReturnType<typeof createMaintenance>;
