import type { RedisClient } from '../redis-client.js';
import { z } from 'zod';
import { parseStoredJson } from '../errors.js';
import { redisKeys } from '../redis-keys.js';

/**
 * How far a running step has come with a report's CSV, for the dashboard's progress bar: bytes
 * downloaded, or bytes of the CSV parsed out of its size and the rows parsed so far. Kept beside the record (not in it): a
 * progress write moves no status, adds no history entry and bumps no updatedAt, and it lives one
 * hour (or the reports' retention, when shorter), so a progress left by a run that stopped ages out on its own.
 */
export interface ReportProgress {
  step: 'download' | 'parse';
  bytes: number;
  /** The whole, when known: the CSV's size while parsing; null while downloading a body of unannounced size. */
  totalBytes: number | null;
  /**
   * While parsing: the records taken as rows so far, bad rows included (at the end, the summary's
   * rows plus its bad rows). Absent while downloading, and in a progress written before it was counted.
   */
  rows?: number | null | undefined;
  at: string;
}

const progressSchema = z.strictObject({
  step: z.enum(['download', 'parse']),
  bytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative().nullable(),
  rows: z.number().int().nonnegative().nullable().optional(),
  at: z.string(),
});

const PROGRESS_TTL_SECONDS = 3600;

/** `retentionSeconds`: the reports' own retention; a progress never outlives its record. */
export function createProgressStore(redis: RedisClient, options: { prefix: string; retentionSeconds: number }) {
  const keys = redisKeys(options.prefix);
  const ttlSeconds = Math.max(1, Math.min(PROGRESS_TTL_SECONDS, options.retentionSeconds));
  const write = async (reportId: string, progress: ReportProgress): Promise<void> => {
    await redis.set(keys.report.progress(reportId), JSON.stringify(progress), 'EX', ttlSeconds);
  };
  return {
    write,
    /** The progress of each report that has one, in one round trip. */
    async read(reportIds: readonly string[]): Promise<Map<string, ReportProgress>> {
      const found = new Map<string, ReportProgress>();
      if (reportIds.length === 0) return found;
      const values = await redis.mget(...reportIds.map((id) => keys.report.progress(id)));
      reportIds.forEach((id, index) => {
        const value = values[index];
        if (value !== null && value !== undefined) found.set(id, parseStoredJson(keys.report.progress(id), progressSchema, value));
      });
      return found;
    },
  };
}
export type ProgressStore = ReturnType<typeof createProgressStore>;

/** Reports a step's bytes (and rows) as they pass; writes at most once per `intervalMs` (and once more at the end). */
export interface ProgressMeter {
  add(bytes: number): void;
  /** Writes the last figures now (a step's end), if they changed since the last write. */
  flush(): Promise<void>;
}

/**
 * A meter for one step of one report. The worker passes each chunk's size: a write costs one SET,
 * and at most one per interval however small the chunks, so a 1 GB download writes about as often
 * as it takes seconds. A failed write is dropped: progress is a courtesy, never a reason to fail.
 * `rowsSoFar` is read only when a write is made: the parse counts its rows with a bare increment
 * and the meter takes the count along with the bytes, with no call or write per row.
 */
export function progressMeter(
  write: (progress: ReportProgress) => Promise<void>,
  step: ReportProgress['step'],
  options: { totalBytes: number | null; rowsSoFar?: (() => number) | undefined; intervalMs?: number; now?: () => Date },
): ProgressMeter {
  const now = options.now ?? (() => new Date());
  const intervalMs = options.intervalMs ?? 1000;
  const { rowsSoFar } = options;
  let bytes = 0;
  let written = -1;
  let writtenRows = 0;
  let lastWriteAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> = Promise.resolve();
  const send = () => {
    const at = now();
    lastWriteAt = at.getTime();
    written = bytes;
    writtenRows = rowsSoFar?.() ?? 0;
    const progress: ReportProgress = { step, bytes, totalBytes: options.totalBytes, ...(rowsSoFar ? { rows: writtenRows } : {}), at: at.toISOString() };
    pending = pending.then(() => write(progress)).catch(() => undefined);
  };
  return {
    add(chunk) {
      bytes += chunk;
      if (now().getTime() - lastWriteAt >= intervalMs) send();
    },
    async flush() {
      // The last chunk's rows are counted after its bytes: the end can bring rows and no bytes.
      if (written !== bytes || (rowsSoFar?.() ?? 0) !== writtenRows) send();
      await pending;
    },
  };
}
