import type { ReportRecord, ReportStatus } from './reports/record.js';

type ReportSource = ReportRecord['source'];
type UsageResourceKind = 'organization' | 'application';

/**
 * Every Redis key the service makes, in one place. All share the deployment's prefix, so tests
 * (and several deployments on one Redis) never see each other's data. Lua scripts receive the
 * keys they touch in KEYS and derive none themselves: that is what Redis Cluster needs to route
 * a script, and it keeps the key layout readable here alone.
 *
 * BullMQ makes its own keys under `<prefix>:<queue name>:`; the queue is given the bare prefix.
 * On a Redis Cluster the prefix is a hash tag (src/redis-prefix.ts): every key here, and BullMQ's,
 * is then in one slot, so a script or MULTI may touch any of them together.
 */
export function redisKeys(prefix: string) {
  return {
    /** What BullMQ is given as its `prefix`. */
    queuePrefix: prefix,
    /**
     * Never written. A command without keys (WAIT) that must reach the master holding this
     * deployment's slot on a cluster goes in a pipeline with a read of this key (src/redis-replica-wait.ts).
     */
    slotAnchor: `${prefix}:slot-anchor`,
    report: {
      /** The record: one hash. */
      record: (id: string) => `${prefix}:report:${id}`,
      /** Its history: a list of JSON entries, appended by the same script that changes the status. */
      history: (id: string) => `${prefix}:report:${id}:history`,
      /** The raw body of the callback kept for processing. */
      callbackBody: (id: string) => `${prefix}:report:${id}:callback-body`,
      /** Later deliveries of a report's callback with another body, newest first (JSON callback info). */
      callbackVersions: (id: string) => `${prefix}:report:${id}:callback-versions`,
      /** Which report of a re-requested group (named by its first report) took the callback: "open" until one did. */
      callbackClaim: (groupId: string) => `${prefix}:report:${groupId}:callback-claim`,
      /** The body of one kept version, by its sha256. */
      callbackVersionBody: (id: string, sha256: string) => `${prefix}:report:${id}:callback-version:${sha256}`,
      /** Callbacks that authenticated but were refused, kept for an operator. */
      rejectedCallbacks: (id: string) => `${prefix}:report:${id}:rejected-callbacks`,
      /** Their bodies, whole, by sha256. */
      rejectedCallbackBodies: (id: string) => `${prefix}:report:${id}:rejected-callback-bodies`,
      /** How many times the reconciler enqueued one run of a report again. */
      requeues: (id: string, run: number) => `${prefix}:report:${id}:requeues:${run}`,
      /** How far the running step has come with the report's CSV (JSON, for the dashboard; lives an hour). */
      progress: (id: string) => `${prefix}:report:${id}:progress`,
    },
    reports: {
      /** Every report id by creation time. */
      byCreated: `${prefix}:reports:by-created`,
      /** Report ids in one status, by creation time. */
      byStatus: (status: ReportStatus) => `${prefix}:reports:status:${status}`,
      /** Reports waiting for a callback, by the time they become overdue. */
      awaiting: `${prefix}:reports:awaiting`,
      /** Report ids of one source (api, schedule), by creation time. */
      bySource: (source: ReportSource) => `${prefix}:reports:source:${source}`,
      /** Report ids of one series, by creation time. */
      bySeries: (seriesKey: string) => `${prefix}:reports:series:${seriesKey}`,
      /** Series key -> the id of its most recently created report (a hash: every series, one read). */
      seriesLatest: `${prefix}:reports:series-latest`,
      /** Report id -> its series key, so the sweep can find a gone record's series index. */
      seriesOf: `${prefix}:reports:series-of`,
      /** A query's intersection of indexes, made and dropped in one MULTI. */
      queryScratch: (token: string) => `${prefix}:reports:query:${token}`,
    },
    /** Alerts sent (src/alerts): one hash per organization, metric and period start ("once" is enforced on it). */
    alertOnce: (organizationId: string, metric: string, periodStart: string) =>
      `${prefix}:alert:${encodeURIComponent(organizationId)}:${encodeURIComponent(metric)}:${encodeURIComponent(periodStart)}`,
    /** The usage read model: figures across reports, for dashboards (src/usage). */
    usage: {
      /** One resource's figures per report: a hash from report id to JSON. */
      resourcePoints: (kind: UsageResourceKind, id: string) => `${prefix}:usage:resource:${kind}:${id}:points`,
      /** Its report ids by the start of the period each report covers. */
      resourceByPeriod: (kind: UsageResourceKind, id: string) => `${prefix}:usage:resource:${kind}:${id}:by-period`,
      /** Its report ids by when their figures were written, to let them go after the retention. */
      resourceByWritten: (kind: UsageResourceKind, id: string) => `${prefix}:usage:resource:${kind}:${id}:by-written`,
      /** The known resources of a kind: a hash from id to JSON (latest name, sort key, latest report). */
      resources: (kind: UsageResourceKind) => `${prefix}:usage:resources:${kind}`,
      /** The same resources ordered by lower-cased name (members "<name>\0<id>", all scored 0). */
      resourcesByName: (kind: UsageResourceKind) => `${prefix}:usage:resources:${kind}:by-name`,
      /** The instance's figures per period start (ISO) across delivered reports: a hash per grouping. */
      instancePeriods: (grouping: 'day' | 'month') => `${prefix}:usage:instance:${grouping}`,
      /** One organization's monthly points (src/usage/organization-months.ts): a hash from month ("YYYY-MM") to JSON. */
      organizationMonths: (id: string) => `${prefix}:usage:trend:organization:${id}`,
      /** The organizations that have monthly points: a hash from id to its latest name (JSON). */
      trendOrganizations: `${prefix}:usage:trend:organizations`,
      /** The same ids by when their points were last written, to forget those no longer written. */
      trendOrganizationsByWritten: `${prefix}:usage:trend:organizations:by-written`,
    },
    /** The latest delivered summary of a series, to compare the next report with. */
    series: (seriesKey: string) => `${prefix}:series:${seriesKey}`,
    schedule: {
      document: (id: string) => `${prefix}:schedule:${id}`,
      ids: `${prefix}:schedules`,
      /** Serializes read-modify-writes of the instance's reportConfigs on Losant. */
      lock: `${prefix}:schedules-lock`,
      /** Names the report made for one delivery of a schedule (by Losant job id or body hash), so a repeat is recognized. */
      delivery: (scheduleId: string, fingerprint: string) => `${prefix}:schedule-delivery:${scheduleId}:${fingerprint}`,
      /** The fire times (ISO, scored by their ms) of the runs whose callback arrived; the latest few kept. */
      arrivedRuns: (scheduleId: string) => `${prefix}:schedule-arrived-runs:${scheduleId}`,
      /** The runs whose callback did not arrive in time: a hash from fire time (ISO) to the record (JSON). */
      missedRuns: (scheduleId: string) => `${prefix}:schedule-missed-runs:${scheduleId}`,
      /** How far the missed-run check has looked at a schedule's runs, and by which cron (JSON). */
      runsChecked: (scheduleId: string) => `${prefix}:schedule-runs-checked:${scheduleId}`,
    },
    /** Held by the one web process checking for missed schedule runs at a time. */
    missedRunCheckLock: `${prefix}:missed-run-check-lock`,
    /** Held by the one worker doing housekeeping at a time. */
    maintenanceLock: `${prefix}:maintenance-lock`,
    /** Where the next housekeeping run goes on removing old archived files (ARCHIVE_RETENTION_DAYS). */
    archiveSweepCursor: `${prefix}:archive-sweep-cursor`,
    /** The admin API's request count of one client in one minute. */
    rateLimit: (client: string, minute: number) => `${prefix}:ratelimit:${client}:${minute}`,
    /** The admin API's failed authentications of one client in one minute (a bucket of their own). */
    authFailures: (client: string, minute: number) => `${prefix}:authfail:${client}:${minute}`,
    ui: {
      /** A dashboard session, named by the SHA-256 (hex) of its cookie's id: the id itself is never stored. */
      session: (idDigest: string) => `${prefix}:ui-session:${idDigest}`,
      /** The dashboard's failed sign-ins of one client in one minute. */
      signInFailures: (client: string, minute: number) => `${prefix}:ui-signin-fail:${client}:${minute}`,
    },
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
