import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ReportSummary } from '../summary/types.js';
import { reportKeys } from './keys.js';
import { ACCEPT_CALLBACK, CREATE_REPORT, TRANSITION } from './lua.js';
import { JSON_FIELDS, REPORT_STATUSES, type CallbackInfo, type HistoryEntry, type JsonField, type ReportRecord, type ReportStatus } from './record.js';

export interface NewReport {
  id: string;
  source: ReportRecord['source'];
  scheduleId: string | null;
  request: ReportRecord['request'];
  delivery: ReportRecord['delivery'];
  seriesKey: string;
  secretHash: string | null;
  status: 'requested' | 'callback_received';
  overdueAt: Date | null;
  note: string;
}

export interface ReceivedCallback {
  info: CallbackInfo;
  body: Buffer;
}

export type RecordFields = Partial<Pick<ReportRecord, JsonField | 'overdueAt' | 'emailAttempts' | 'runs'>>;

export interface TransitionRequest {
  from: readonly ReportStatus[] | '*';
  to?: ReportStatus;
  set?: RecordFields;
  note?: string;
  awaiting?: { mode: 'add'; deadline: Date } | { mode: 'remove' };
}

/** The few fields of a record that receiving a callback needs. */
export interface CallbackMatch {
  secretHash: string | null;
  losant: ReportRecord['losant'];
  runs: number;
}

export type TransitionResult = { ok: true; previous: ReportStatus } | { ok: false; current: ReportStatus | null };

export interface ReportStoreOptions {
  prefix: string;
  retentionDays: number;
  /** Overrides retentionDays (tests prove expiry in seconds). */
  retentionSeconds?: number;
  /** How long a kept callback body lives (never longer than its record); default: as long as the record. */
  callbackBodyRetentionDays?: number;
  now?: () => Date;
}

export type ReportStore = ReturnType<typeof createReportStore>;

/** Report records in Redis: one hash per report, a history list, and sorted-set indexes. */
export function createReportStore(redis: Redis, options: ReportStoreOptions) {
  const keys = reportKeys(options.prefix);
  const now = options.now ?? (() => new Date());
  const retentionSeconds = options.retentionSeconds ?? options.retentionDays * 86_400;
  const bodyTtlSeconds = Math.min(
    options.callbackBodyRetentionDays !== undefined ? options.callbackBodyRetentionDays * 86_400 : retentionSeconds,
    retentionSeconds,
  );
  // EVALSHA sends a 40-character digest instead of the whole script on every call (the callback
  // route's hot path runs one per request); EVAL runs, and caches, a script Redis does not hold yet.
  const digests = new Map<string, string>();
  const run = async (script: string, keyList: string[], args: (string | number | Buffer)[]): Promise<[number, string]> => {
    let sha = digests.get(script);
    if (sha === undefined) {
      sha = createHash('sha1').update(script).digest('hex');
      digests.set(script, sha);
    }
    try {
      return (await redis.evalsha(sha, keyList.length, ...keyList, ...args)) as [number, string];
    } catch (error) {
      // NOSCRIPT: the script did not run (first call, SCRIPT FLUSH, a restarted Redis), so running it now runs it once.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return (await redis.eval(script, keyList.length, ...keyList, ...args)) as [number, string];
    }
  };

  function historyEntry(status: ReportStatus, note?: string): string {
    const entry: HistoryEntry = note === undefined ? { at: now().toISOString(), status } : { at: now().toISOString(), status, note };
    return JSON.stringify(entry);
  }

  function flatten(fields: RecordFields): string[] {
    const out: string[] = [];
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      if ((JSON_FIELDS as readonly string[]).includes(name)) out.push(name, JSON.stringify(value));
      else out.push(name, typeof value === 'string' || typeof value === 'number' ? String(value) : '');
    }
    return out;
  }

  async function create(report: NewReport, extra: { callback?: ReceivedCallback; dedupeKey?: string } = {}) {
    const at = now();
    const status: ReportStatus = extra.callback ? 'callback_received' : report.status;
    const fields = flatten({
      request: report.request,
      delivery: report.delivery,
      losant: { jobId: extra.callback?.info.jobId ?? null, acceptedAt: null, legacy: false },
      callback: extra.callback?.info ?? null,
      interpretation: null,
      download: null,
      archive: null,
      summary: null,
      comparison: null,
      email: null,
      error: null,
      emailAttempts: 0,
      runs: 1,
    });
    fields.push(
      'id',
      report.id,
      'source',
      report.source,
      'scheduleId',
      report.scheduleId ?? '',
      'seriesKey',
      report.seriesKey,
      'secretHash',
      report.secretHash ?? '',
      'createdAt',
      at.toISOString(),
      'updatedAt',
      at.toISOString(),
      'overdueAt',
      report.overdueAt?.toISOString() ?? '',
    );
    const dedupe = extra.dedupeKey ?? '';
    const awaiting = status === 'requested' && report.overdueAt ? 'add' : '';
    const [code, id] = await run(
      CREATE_REPORT,
      [keys.record(report.id), keys.history(report.id), keys.callbackBody(report.id), dedupe],
      [
        options.prefix,
        report.id,
        at.getTime(),
        status,
        historyEntry(status, report.note),
        retentionSeconds,
        awaiting,
        report.overdueAt?.getTime() ?? 0,
        extra.callback?.body ?? '',
        bodyTtlSeconds,
        retentionSeconds,
        ...fields,
      ].map((value) => (typeof value === 'number' ? String(value) : value)),
    );
    return { id, created: code === 1 };
  }

  async function get(id: string): Promise<ReportRecord | null> {
    const [hash, history] = await Promise.all([redis.hgetall(keys.record(id)), redis.lrange(keys.history(id), 0, -1)]);
    if (!hash.status) return null;
    return toRecord(hash, history);
  }

  /**
   * What the callback receiver needs of a record (its secret's hash to authenticate, then the
   * Losant job and run to match and enqueue), in one HMGET instead of a whole record per callback.
   */
  async function getCallbackMatch(id: string): Promise<CallbackMatch | null> {
    const [status, secretHash, losant, runs] = await redis.hmget(keys.record(id), 'status', 'secretHash', 'losant', 'runs');
    if (status === null || status === undefined || status === '') return null;
    const parsed = losant === null || losant === undefined || losant === '' ? null : (JSON.parse(losant) as ReportRecord['losant'] | null);
    return {
      secretHash: secretHash === null || secretHash === undefined || secretHash === '' ? null : secretHash,
      losant: parsed ?? { jobId: null, acceptedAt: null, legacy: false },
      runs: Number(runs ?? 1),
    };
  }

  async function getSecretHash(id: string): Promise<string | null> {
    const value = await redis.hget(keys.record(id), 'secretHash');
    return value === null || value === '' ? null : value;
  }

  async function transition(id: string, request: TransitionRequest): Promise<TransitionResult> {
    const fields = [...flatten(request.set ?? {}), 'updatedAt', now().toISOString()];
    const to = request.to ?? '';
    const entry = request.to !== undefined || request.note !== undefined ? historyEntry(request.to ?? (await currentStatus(id)) ?? 'failed', request.note) : '';
    const awaiting = request.awaiting;
    const [code, status] = await run(
      TRANSITION,
      [keys.record(id), keys.history(id)],
      [
        options.prefix,
        id,
        request.from === '*' ? '*' : request.from.join(','),
        to,
        entry,
        String(retentionSeconds),
        awaiting?.mode ?? '',
        awaiting?.mode === 'add' ? String(awaiting.deadline.getTime()) : '0',
        ...fields,
      ],
    );
    if (code === 1) return { ok: true, previous: status as ReportStatus };
    return { ok: false, current: code === 0 ? null : (status as ReportStatus) };
  }

  async function currentStatus(id: string): Promise<ReportStatus | null> {
    return (await redis.hget(keys.record(id), 'status')) as ReportStatus | null;
  }

  async function acceptCallback(id: string, callback: ReceivedCallback): Promise<'accepted' | 'duplicate' | 'missing'> {
    const [code] = await run(
      ACCEPT_CALLBACK,
      [keys.record(id), keys.history(id), keys.callbackBody(id)],
      [
        options.prefix,
        id,
        JSON.stringify(callback.info),
        callback.body,
        String(bodyTtlSeconds),
        historyEntry('callback_received', `callback received (${callback.info.bytes} bytes, ${callback.info.contentType ?? 'no content type'})`),
        String(retentionSeconds),
        now().toISOString(),
      ],
    );
    return code === 1 ? 'accepted' : code === 2 ? 'duplicate' : 'missing';
  }

  async function getCallbackBody(id: string): Promise<Buffer | null> {
    return redis.getBuffer(keys.callbackBody(id));
  }

  async function list(query: { status?: ReportStatus; offset: number; limit: number }) {
    const index = query.status ? `${keys.byStatus}:${query.status}` : keys.byCreated;
    const [ids, total] = await Promise.all([redis.zrevrange(index, query.offset, query.offset + query.limit - 1), redis.zcard(index)]);
    const records = await Promise.all(ids.map((id) => get(id)));
    return { items: records.filter((record): record is ReportRecord => record !== null), total };
  }

  /** Ids of reports waiting for a callback whose deadline has passed. */
  async function overdueCandidates(limit = 500): Promise<string[]> {
    return redis.zrangebyscore(keys.awaiting, '0', String(now().getTime()), 'LIMIT', '0', String(limit));
  }

  async function forgetAwaiting(id: string): Promise<void> {
    await redis.zrem(keys.awaiting, id);
  }

  async function idsInStatus(status: ReportStatus, limit = 1000): Promise<string[]> {
    return redis.zrange(`${keys.byStatus}:${status}`, '0', String(limit - 1));
  }

  async function countByStatus(): Promise<Record<ReportStatus, number>> {
    const counts = await Promise.all(REPORT_STATUSES.map((status) => redis.zcard(`${keys.byStatus}:${status}`)));
    return Object.fromEntries(REPORT_STATUSES.map((status, i) => [status, counts[i] ?? 0])) as Record<ReportStatus, number>;
  }

  /** Drops index entries whose record has expired, so the indexes stay bounded too. */
  async function sweepIndexes(batch = 1000): Promise<number> {
    const cutoff = now().getTime() - retentionSeconds * 1000;
    const old = await redis.zrangebyscore(keys.byCreated, '0', String(cutoff), 'LIMIT', '0', String(batch));
    let removed = 0;
    for (const id of old) {
      if ((await redis.exists(keys.record(id))) === 1) continue;
      const pipeline = redis.pipeline().zrem(keys.byCreated, id).zrem(keys.awaiting, id);
      for (const status of REPORT_STATUSES) pipeline.zrem(`${keys.byStatus}:${status}`, id);
      await pipeline.exec();
      removed += 1;
    }
    return removed;
  }

  async function latestInSeries(seriesKey: string): Promise<{ reportId: string; summary: ReportSummary } | null> {
    const value = await redis.get(keys.series(seriesKey));
    return value === null ? null : (JSON.parse(value) as { reportId: string; summary: ReportSummary });
  }

  async function setLatestInSeries(seriesKey: string, reportId: string, summary: ReportSummary): Promise<void> {
    await redis.set(keys.series(seriesKey), JSON.stringify({ reportId, summary }), 'EX', retentionSeconds);
  }

  return {
    keys,
    create,
    get,
    getCallbackMatch,
    getSecretHash,
    transition,
    acceptCallback,
    getCallbackBody,
    list,
    overdueCandidates,
    forgetAwaiting,
    idsInStatus,
    countByStatus,
    sweepIndexes,
    latestInSeries,
    setLatestInSeries,
  };
}

function toRecord(hash: Record<string, string>, history: string[]): ReportRecord {
  const json = <T>(name: JsonField): T => {
    const value = hash[name];
    return (value === undefined || value === '' ? null : JSON.parse(value)) as T;
  };
  const callback = json<CallbackInfo | null>('callback');
  if (callback) callback.duplicates = Number(hash.callbackDuplicates ?? 0);
  return {
    id: hash.id ?? '',
    status: hash.status as ReportStatus,
    source: (hash.source ?? 'api') as ReportRecord['source'],
    scheduleId: hash.scheduleId === undefined || hash.scheduleId === '' ? null : hash.scheduleId,
    request: json('request') ?? {},
    delivery: json('delivery') ?? { email: false, archive: false, recipients: [] },
    seriesKey: hash.seriesKey ?? '',
    createdAt: hash.createdAt ?? '',
    updatedAt: hash.updatedAt ?? '',
    overdueAt: hash.overdueAt === undefined || hash.overdueAt === '' ? null : hash.overdueAt,
    losant: json('losant') ?? { jobId: null, acceptedAt: null, legacy: false },
    callback,
    interpretation: json('interpretation'),
    download: json('download'),
    archive: json('archive'),
    summary: json('summary'),
    comparison: json('comparison'),
    email: json('email'),
    emailAttempts: Number(hash.emailAttempts ?? 0),
    error: json('error'),
    runs: Number(hash.runs ?? 1),
    history: history.map((entry) => JSON.parse(entry) as HistoryEntry),
  };
}
