import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis-client.js';
import { CorruptDataError, NotFoundError, parseStored, parseStoredJson } from '../errors.js';
import { redisKeys } from '../redis-keys.js';
import type { ReportSummary } from '../summary/types.js';
import {
  ACCEPT_CALLBACK,
  APPLY_OPERATION,
  CLAIM_RUN,
  CREATE_REPORT,
  DROP_GONE_REPORT,
  OPEN_RE_REQUEST,
  DROP_ARCHIVED_CALLBACK_BODY,
  TAKE_UP_CALLBACK_VERSION,
} from './lua.js';
import { createReportQueries } from './report-queries.js';
import { decodeRecord, encodeFields, type RecordFields } from './record-codec.js';
import { callbackInfoSchema, countFieldSchema, JSON_FIELD_SCHEMAS, seriesEntrySchema } from './record-schema.js';
import type {
  ArchiveInfo,
  CallbackInfo,
  DownloadInfo,
  EmailInfo,
  Interpretation,
  LosantJobInfo,
  ReportError,
  ReportRecord,
  ReportStatus,
  ReRequestLink,
} from './record.js';
import { IN_PIPELINE, isReportStatus, movesInto, REPORT_STATUSES } from './state-machine.js';

export interface NewReport {
  id: string;
  source: ReportRecord['source'];
  scheduleId: string | null;
  scheduleName?: string;
  request: ReportRecord['request'];
  delivery: ReportRecord['delivery'];
  seriesKey: string;
  secretHash: string | null;
  status: 'requested' | 'callback_received';
  overdueAt: Date | null;
  note: string;
  /** Set for a report asked for in place of an overdue one. */
  reRequest?: ReRequestLink;
}

export interface ReceivedCallback {
  info: CallbackInfo;
  body: Buffer;
}

/** The few fields of a record that receiving a callback needs. */
export interface CallbackMatch {
  secretHash: string | null;
  losant: ReportRecord['losant'];
  runs: number;
  /** The re-requested group the report belongs to (its own id when it has none). */
  group: string;
}

export type TransitionResult = { ok: true; previous: ReportStatus } | { ok: false; current: ReportStatus | null };

/**
 * A write of a fenced run (`store.fenced(token)`) was refused: another worker has claimed the
 * report's processing since this run did, so this run must stop without writing anything more.
 */
export class RunTakenOverError extends Error {
  constructor(reportId: string) {
    super(`report ${reportId} is being processed by a newer run; this run stops`);
    this.name = 'RunTakenOverError';
  }
}

/** What an operation does to the status: move it (only as the table allows), or keep it while in one of the given statuses. */
type StatusChange = { to: ReportStatus } | { stayIn: readonly ReportStatus[] | 'any' };

export interface ReportStoreOptions {
  prefix: string;
  retentionDays: number;
  /** Overrides retentionDays (tests prove expiry in seconds). */
  retentionSeconds?: number;
  /** How long a kept callback body lives (never longer than its record); default: as long as the record. */
  callbackBodyRetentionDays?: number;
  now?: () => Date;
  /** Hears of each record moved into a status, created in one included (metrics). */
  onStatusChange?: (to: ReportStatus) => void;
}

export type ReportStore = ReturnType<typeof createReportStore>;

/** Different deliveries of one report's callback kept beside the current one, at most. */
export const MAX_CALLBACK_VERSIONS = 5;

/**
 * Report records in Redis: one hash per report, a history list, and sorted-set indexes. A
 * record's status changes only through the named operations below, each one atomic script
 * that the state machine's table governs (src/reports/state-machine.ts).
 */
export function createReportStore(redis: RedisClient, options: ReportStoreOptions) {
  const keys = redisKeys(options.prefix);
  const now = options.now ?? (() => new Date());
  const moved = options.onStatusChange ?? (() => undefined);
  const retentionSeconds = options.retentionSeconds ?? options.retentionDays * 86_400;
  const bodyTtlSeconds = Math.min(
    options.callbackBodyRetentionDays !== undefined ? options.callbackBodyRetentionDays * 86_400 : retentionSeconds,
    retentionSeconds,
  );
  // EVALSHA sends a 40-character digest instead of the whole script on every call (the callback
  // route's hot path runs one per request); EVAL runs, and caches, a script Redis does not hold yet.
  const digests = new Map<string, string>();
  const run = async (script: string, keyList: string[], args: Array<string | Buffer>): Promise<{ code: number; value: string }> => {
    let sha = digests.get(script);
    if (sha === undefined) {
      sha = createHash('sha1').update(script).digest('hex');
      digests.set(script, sha);
    }
    let reply: unknown;
    try {
      reply = await redis.evalsha(sha, keyList.length, ...keyList, ...args);
    } catch (error) {
      // NOSCRIPT: the script did not run (first call, SCRIPT FLUSH, a restarted Redis), so running it now runs it once.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      reply = await redis.eval(script, keyList.length, ...keyList, ...args);
    }
    if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'string') {
      throw new CorruptDataError(keyList[0] ?? '(no key)', [`a report script answered ${JSON.stringify(reply)}`]);
    }
    return { code: reply[0], value: reply[1] };
  };
  const queries = createReportQueries(redis, keys, (ids) => getMany(ids));
  const statusOf = (key: string, value: string): ReportStatus => {
    if (isReportStatus(value)) return value;
    throw new CorruptDataError(key, [`status "${value.slice(0, 40)}" is not one of ${REPORT_STATUSES.join(', ')}`]);
  };

  async function create(report: NewReport, extra: { callback?: ReceivedCallback; dedupeKey?: string } = {}) {
    const at = now();
    const status: ReportStatus = extra.callback ? 'callback_received' : report.status;
    const fields = encodeFields({
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
      ...(report.reRequest ? { reRequest: report.reRequest } : {}),
    });
    fields.push(
      ...['id', report.id, 'source', report.source, 'scheduleId', report.scheduleId ?? '', 'scheduleName', report.scheduleName ?? ''],
      ...['seriesKey', report.seriesKey, 'secretHash', report.secretHash ?? '', 'overdueAt', report.overdueAt?.toISOString() ?? ''],
      ...['createdAt', at.toISOString(), 'updatedAt', at.toISOString()],
    );
    const keyList = [
      keys.report.record(report.id),
      keys.report.history(report.id),
      keys.report.callbackBody(report.id),
      keys.reports.byCreated,
      keys.reports.awaiting,
      keys.reports.byStatus(status),
      keys.reports.bySource(report.source),
      keys.reports.bySeries(report.seriesKey),
      keys.reports.seriesLatest,
      keys.reports.seriesOf,
      ...(extra.dedupeKey === undefined ? [] : [extra.dedupeKey]),
    ];
    const { code, value } = await run(CREATE_REPORT, keyList, [
      report.id,
      String(at.getTime()),
      status,
      at.toISOString(),
      report.note,
      String(retentionSeconds),
      report.overdueAt ? String(report.overdueAt.getTime()) : '',
      extra.callback?.body ?? '',
      String(bodyTtlSeconds),
      String(retentionSeconds),
      report.seriesKey,
      ...fields,
    ]);
    if (code === 1) moved(status);
    return { id: value, created: code === 1 };
  }

  async function get(id: string): Promise<ReportRecord | null> {
    const key = keys.report.record(id);
    const [hash, history] = await Promise.all([redis.hgetall(key), redis.lrange(keys.report.history(id), 0, -1)]);
    if (Object.keys(hash).length === 0) return null;
    return decodeRecord(key, hash, history);
  }

  /** Several records in one round trip, in the order asked; a record gone meanwhile is left out. */
  async function getMany(ids: readonly string[]): Promise<ReportRecord[]> {
    if (ids.length === 0) return [];
    const batch = redis.pipeline();
    for (const id of ids) batch.hgetall(keys.report.record(id)).lrange(keys.report.history(id), 0, -1);
    const replies = (await batch.exec()) ?? [];
    return ids.flatMap((id, index) => {
      const [hashError, hash] = replies[index * 2] ?? [null, {}];
      const [historyError, history] = replies[index * 2 + 1] ?? [null, []];
      if (hashError) throw hashError;
      if (historyError) throw historyError;
      // as: HGETALL answers an object of strings, LRANGE an array of strings (ioredis types pipeline replies as unknown)
      const fields = hash as Record<string, string>;
      if (Object.keys(fields).length === 0) return [];
      return [decodeRecord(keys.report.record(id), fields, history as string[])]; // as: see above
    });
  }

  /** A record the caller has just written: its absence means it expired or was deleted meanwhile. */
  async function getExisting(id: string): Promise<ReportRecord> {
    const record = await get(id);
    if (record === null) throw new NotFoundError(`report ${id} is no longer in Redis (expired or deleted)`);
    return record;
  }

  /**
   * What the callback receiver needs of a record (its secret's hash to authenticate, then the
   * Losant job and run to match and enqueue), in one HMGET instead of a whole record per callback.
   */
  async function getCallbackMatch(id: string): Promise<CallbackMatch | null> {
    const key = keys.report.record(id);
    const [status, secretHash, losant, runs, reRequest] = await redis.hmget(key, 'status', 'secretHash', 'losant', 'runs', 'reRequest');
    if (status === null || status === undefined || status === '') return null;
    return {
      secretHash: secretHash === null || secretHash === undefined || secretHash === '' ? null : secretHash,
      losant:
        losant === null || losant === undefined || losant === ''
          ? { jobId: null, acceptedAt: null, legacy: false }
          : parseStoredJson(key, JSON_FIELD_SCHEMAS.losant, losant),
      runs: runs === null || runs === undefined ? 1 : parseStored(key, countFieldSchema, runs),
      group:
        reRequest === null || reRequest === undefined || reRequest === '' || reRequest === 'null'
          ? id
          : (parseStoredJson(key, JSON_FIELD_SCHEMAS.reRequest, reRequest)?.group ?? id),
    };
  }

  async function getSecretHash(id: string): Promise<string | null> {
    const value = await redis.hget(keys.report.record(id), 'secretHash');
    return value === null || value === '' ? null : value;
  }

  /**
   * Runs one operation in one script: the fence and status checks, the fields, the indexes and
   * the history entry. `fence` ('' for none) is a run's token from claimRun.
   */
  async function apply(fence: string, id: string, change: StatusChange, fields: RecordFields, note = ''): Promise<TransitionResult> {
    const to = 'to' in change ? change.to : '';
    const stayIn = 'to' in change || change.stayIn === 'any' ? '*' : `,${change.stayIn.join(',')},`;
    const statuses = 'to' in change ? [...movesInto(change.to), change.to] : [];
    const record = keys.report.record(id);
    const { code, value } = await run(
      APPLY_OPERATION,
      [record, keys.report.history(id), keys.reports.awaiting, ...statuses.map((status) => keys.reports.byStatus(status))],
      [id, to, stayIn, note, now().toISOString(), String(retentionSeconds), fence, String(statuses.length), ...statuses, ...encodeFields(fields)],
    );
    if (code === 1) {
      const previous = statusOf(record, value);
      if ('to' in change) moved(change.to);
      return { ok: true, previous };
    }
    if (code === -2) throw new RunTakenOverError(id);
    return { ok: false, current: code === 0 ? null : statusOf(record, value) };
  }

  type OpenedReRequest =
    | { ok: true; link: ReRequestLink }
    | { ok: false; reason: 'missing' }
    | { ok: false; reason: 'linked'; as: string }
    | { ok: false; reason: 'status'; status: ReportStatus };

  /**
   * Links an overdue report to `newId`, the report asked of Losant in its place, and opens their
   * group's callback claim (OPEN_RE_REQUEST). Returns the link the new report is to carry.
   */
  async function openReRequest(record: ReportRecord, newId: string, note: string): Promise<OpenedReRequest> {
    const group = record.reRequest?.group ?? record.id;
    const own: ReRequestLink = { of: record.reRequest?.of ?? null, as: newId, group };
    const key = keys.report.record(record.id);
    const { code, value } = await run(
      OPEN_RE_REQUEST,
      [key, keys.report.history(record.id), keys.report.callbackClaim(group)],
      [JSON.stringify(own), now().toISOString(), note, String(retentionSeconds)],
    );
    if (code === 1) return { ok: true, link: { of: record.id, as: null, group } };
    if (code === 0) return { ok: false, reason: 'missing' };
    if (code === 2) return { ok: false, reason: 'linked', as: parseStoredJson(key, JSON_FIELD_SCHEMAS.reRequest, value)?.as ?? '' };
    return { ok: false, reason: 'status', status: statusOf(key, value) };
  }

  /**
   * Claims a report's processing for one run of a job and returns the run's fence token (null
   * when the record is gone). Writes through `fenced(token)` are refused once a later run has
   * claimed the report.
   */
  async function claimRun(id: string): Promise<string | null> {
    const { code, value } = await run(CLAIM_RUN, [keys.report.record(id)], []);
    return code === 1 ? value : null;
  }

  /** What became of a delivered callback (see ACCEPT_CALLBACK in lua.ts). */
  type Accepted =
    | { kind: 'accepted' | 'duplicate' | 'kept_as_version' | 'versions_full' | 'missing' }
    | { kind: 'replaced'; runs: number }
    | { kind: 'claimed_by_other'; reportId: string };

  const intoReceived = [...movesInto('callback_received'), 'callback_received' as const];
  const receivedKeys = (id: string, sha256: string, group: string) => [
    keys.report.record(id),
    keys.report.history(id),
    keys.report.callbackBody(id),
    keys.reports.awaiting,
    keys.report.callbackVersions(id),
    keys.report.callbackVersionBody(id, sha256),
    keys.report.callbackClaim(group),
    ...intoReceived.map((status) => keys.reports.byStatus(status)),
  ];

  /**
   * Keeps a report's callback: the first one moves the report to callback_received; a later one
   * with the same body is a duplicate; one with another body replaces an unusable current one
   * (a new run) or is kept as a version, at most MAX_CALLBACK_VERSIONS. `group`: the re-requested
   * group the report belongs to (CallbackMatch.group), whose first callback takes the run.
   */
  async function acceptCallback(id: string, callback: ReceivedCallback, group = id): Promise<Accepted> {
    const { code, value } = await run(ACCEPT_CALLBACK, receivedKeys(id, callback.info.sha256, group), [
      id,
      JSON.stringify(callback.info),
      callback.body,
      String(bodyTtlSeconds),
      `callback received (${callback.info.bytes} bytes, ${callback.info.contentType ?? 'no content type'})`,
      now().toISOString(),
      String(retentionSeconds),
      callback.info.sha256,
      String(MAX_CALLBACK_VERSIONS),
      String(intoReceived.length),
      ...intoReceived,
    ]);
    if (code === 1 || code === 3) moved('callback_received');
    if (code === 1) return { kind: 'accepted' };
    if (code === 2) return { kind: 'duplicate' };
    if (code === 3) return { kind: 'replaced', runs: Number(value) };
    if (code === 4) return { kind: 'kept_as_version' };
    if (code === 5) return { kind: 'versions_full' };
    if (code === 6) return { kind: 'claimed_by_other', reportId: value };
    if (code === 0) return { kind: 'missing' };
    // Only a record that already has a callback is in a status that cannot take one; so this is a record in a state the table never makes.
    throw new CorruptDataError(keys.report.record(id), [`status ${value} without a callback cannot take one`]);
  }

  /**
   * When the report's current callback could not be used (unrecognized, or failed before a
   * download succeeded), takes up the newest kept version as the next run. Returns that run's
   * number, or null when there is none to take up (or the current callback is usable).
   */
  async function takeUpCallbackVersion(id: string): Promise<number | null> {
    for (let tries = 0; tries <= MAX_CALLBACK_VERSIONS; tries += 1) {
      const newest = await redis.lindex(keys.report.callbackVersions(id), 0);
      if (newest === null) return null;
      const sha256 = parseStoredJson(keys.report.callbackVersions(id), callbackInfoSchema, newest).sha256;
      const { code, value } = await run(TAKE_UP_CALLBACK_VERSION, receivedKeys(id, sha256, id), [
        id,
        sha256,
        now().toISOString(),
        String(retentionSeconds),
        String(bodyTtlSeconds),
        String(intoReceived.length),
        ...intoReceived,
      ]);
      if (code === 1) {
        moved('callback_received');
        return Number(value);
      }
      if (code === 0 || code === -1) return null;
      // 2: that version's body had expired and it was dropped; 3: another is newest now. Look again.
    }
    return null;
  }

  /**
   * The callback's body is archived (byte for byte): Redis keeps `archiveKey` in its place. Does
   * nothing if the record's callback is no longer the one with `callback.sha256`.
   */
  async function dropArchivedCallbackBody(id: string, callback: CallbackInfo, archiveKey: string): Promise<boolean> {
    const { code } = await run(
      DROP_ARCHIVED_CALLBACK_BODY,
      [keys.report.record(id), keys.report.callbackBody(id)],
      [callback.sha256, JSON.stringify({ ...callback, bodyArchiveKey: archiveKey })],
    );
    return code === 1;
  }

  async function getCallbackBody(id: string): Promise<Buffer | null> {
    return redis.getBuffer(keys.report.callbackBody(id));
  }

  async function list(query: { status?: ReportStatus; offset: number; limit: number }) {
    return queries.query(query);
  }

  /** Ids of reports waiting for a callback whose deadline has passed. */
  async function overdueCandidates(limit = 500): Promise<string[]> {
    return redis.zrangebyscore(keys.reports.awaiting, '0', String(now().getTime()), 'LIMIT', '0', String(limit));
  }

  async function forgetAwaiting(id: string): Promise<void> {
    await redis.zrem(keys.reports.awaiting, id);
  }

  async function idsInStatus(status: ReportStatus, limit = 1000): Promise<string[]> {
    return redis.zrange(keys.reports.byStatus(status), '0', String(limit - 1));
  }

  async function countByStatus(): Promise<Record<ReportStatus, number>> {
    const counts = await Promise.all(REPORT_STATUSES.map((status) => redis.zcard(keys.reports.byStatus(status))));
    const byStatus = {} as Record<ReportStatus, number>; // as: filled for every status just below
    REPORT_STATUSES.forEach((status, i) => (byStatus[status] = counts[i] ?? 0));
    return byStatus;
  }

  /**
   * Drops index entries whose record has expired, so the indexes stay bounded too: every index
   * (status, source, series, and the series' latest report) in one script per report.
   */
  async function sweepIndexes(batch = 1000): Promise<number> {
    const cutoff = now().getTime() - retentionSeconds * 1000;
    const old = await redis.zrangebyscore(keys.reports.byCreated, '0', String(cutoff), 'LIMIT', '0', String(batch));
    let removed = 0;
    for (const id of old) {
      if ((await redis.exists(keys.report.record(id))) === 1) continue;
      const seriesKey = await redis.hget(keys.reports.seriesOf, id);
      const { code } = await run(
        DROP_GONE_REPORT,
        [
          keys.report.record(id),
          keys.reports.byCreated,
          keys.reports.awaiting,
          keys.reports.bySource('api'),
          keys.reports.bySource('schedule'),
          keys.reports.seriesLatest,
          keys.reports.seriesOf,
          ...REPORT_STATUSES.map((status) => keys.reports.byStatus(status)),
          ...(seriesKey === null ? [] : [keys.reports.bySeries(seriesKey)]),
        ],
        [id, String(REPORT_STATUSES.length)],
      );
      removed += code;
    }
    return removed;
  }

  async function latestInSeries(seriesKey: string): Promise<{ reportId: string; summary: ReportSummary } | null> {
    const key = keys.series(seriesKey);
    const value = await redis.get(key);
    return value === null ? null : parseStoredJson(key, seriesEntrySchema, value);
  }

  async function setLatestInSeries(seriesKey: string, reportId: string, summary: ReportSummary): Promise<void> {
    await redis.set(keys.series(seriesKey), JSON.stringify({ reportId, summary }), 'EX', retentionSeconds);
  }

  const anyStatus = { stayIn: 'any' } as const;
  const inPipeline = { stayIn: IN_PIPELINE };

  /**
   * The named operations: the only ways a record changes. Each says where it moves the record
   * (or which statuses it may annotate without moving), what it records, and why. `fence` is the
   * token of the run that writes ('' for writers outside a job run: callbacks, admin, maintenance).
   */
  const operationsOf = (fence: string) => ({
    /** Losant queued the report's job. */
    markAccepted: (id: string, losant: LosantJobInfo, note: string) => apply(fence, id, { to: 'accepted' }, { losant }, note),
    /** Records which Losant job the report belongs to, whatever its status. */
    recordLosantJob: (id: string, losant: LosantJobInfo, note?: string) => apply(fence, id, anyStatus, { losant }, note),
    /** A history note, whatever the status. */
    addNote: (id: string, note: string) => apply(fence, id, anyStatus, {}, note),
    /** Losant refused the request: the report ends before it began. */
    markRequestFailed: (id: string, error: ReportError, note: string) => apply(fence, id, { to: 'failed' }, { error }, note),
    /** No callback came by the deadline. */
    markOverdue: (id: string, note: string) => apply(fence, id, { to: 'overdue' }, {}, note),
    /** The CSV is in the work directory. */
    markDownloaded: (id: string, found: { interpretation: Interpretation; download: DownloadInfo }, note: string) =>
      apply(fence, id, { to: 'downloaded' }, found, note),
    /** Nobody understands the callback: kept, for an operator (a retry interprets it again). */
    markUnrecognized: (id: string, found: { interpretation: Interpretation; error: ReportError }, note: string) =>
      apply(fence, id, { to: 'unrecognized' }, found, note),
    markArchived: (id: string, archive: ArchiveInfo, note: string) => apply(fence, id, { to: 'archived' }, { archive }, note),
    markSummarized: (id: string, result: Pick<RecordFields, 'summary' | 'comparison' | 'archive'>, note: string) =>
      apply(fence, id, { to: 'summarized' }, result, note),
    /** An email hand-off begins: counted first, so a crash mid-send shows as more attempts than emails. */
    noteEmailAttempt: (id: string, attempt: number, note: string) => apply(fence, id, inPipeline, { emailAttempts: attempt }, note),
    markEmailed: (id: string, email: EmailInfo, note: string) => apply(fence, id, { to: 'emailed' }, { email }, note),
    markDelivered: (id: string, note: string) => apply(fence, id, { to: 'delivered' }, { error: null }, note),
    /** A processing attempt failed and will be retried: the record says why meanwhile. */
    noteAttemptFailed: (id: string, error: ReportError, note: string) => apply(fence, id, inPipeline, { error }, note),
    /** Processing ended without delivering (a permanent error, the last attempt, or Losant's own failure). */
    markFailed: (id: string, found: { error: ReportError; interpretation?: Interpretation }, note: string) => apply(fence, id, { to: 'failed' }, found, note),
    /** An operator starts a new run of a failed or unrecognized report. */
    markRetried: (id: string, runs: number, note: string) => apply(fence, id, { to: 'callback_received' }, { runs, error: null }, note),
  });

  const unfenced = operationsOf('');
  return {
    create,
    get,
    getExisting,
    getCallbackMatch,
    getSecretHash,
    acceptCallback,
    takeUpCallbackVersion,
    dropArchivedCallbackBody,
    ...unfenced,
    claimRun,
    openReRequest,
    getCallbackBody,
    getMany,
    list,
    /** The Reports page's list: filtered by any of status, source, series and creation time; newest first, paged, with a total. */
    query: queries.query,
    /** Every series with its report count and the id of its newest report. */
    listSeries: queries.listSeries,
    /** Every series with its newest report (whatever its status) and the latest delivered one's id. */
    latestPerSeries: queries.latestPerSeries,
    overdueCandidates,
    forgetAwaiting,
    idsInStatus,
    countByStatus,
    sweepIndexes,
    latestInSeries,
    setLatestInSeries,
    /**
     * The named operations fenced by a run's token from claimRun: each throws RunTakenOverError,
     * writing nothing, once a later run has claimed the report. Spread over the store for a run.
     */
    fenced: (token: string) => operationsOf(token),
  };
}
