import { z } from 'zod';
import type { Side } from '../role.js';
import {
  archiveUrl,
  redisUrl,
  redisPrefix,
  emailList,
  flag,
  kind,
  commaList,
  oneOf,
  portList,
  publicUrl,
  readableFile,
  secretToken,
  text,
  trustProxy,
  urlWithScheme,
  wholeNumber,
  type Kind,
} from './kinds.js';

/**
 * Every setting the service reads, in one table: its kind (parser and allowed values), its
 * default, the sides that read it and what it does. src/config.ts parses a process's settings from
 * this table (only those its role reads), and `npm run docs:config` writes the README's
 * Configuration tables and config/example.env from it; test/unit/config-docs.test.ts fails when
 * they differ. Add a setting here, then read it into the configuration in src/config.ts.
 */

/** The README's tables and example.env's sections, in this order. */
export const AREAS = {
  process: 'process',
  http: 'HTTP',
  redis: 'Redis',
  admin: 'admin API',
  ui: 'dashboard',
  losant: 'Losant',
  email: 'email',
  storage: 'storage',
  downloads: 'downloads (the CSV links Losant sends)',
  callbacks: 'callbacks',
  csv: 'CSV parsing',
  insights: 'insights (limits, projections, reconciliation)',
  jobs: 'workers and retention',
  metrics: 'metrics (Prometheus)',
} as const;
export type Area = keyof typeof AREAS;

interface SettingBase<T> {
  readonly area: Area;
  /** The sides that read it: a process whose role runs none of them neither needs nor checks it. */
  readonly readBy: readonly Side[];
  readonly kind: Kind<T>;
  /** What it does, in one line of plain text (the allowed values and the default are printed apart). */
  readonly about: string;
}

/**
 * One setting. An empty value counts as unset. Unset, it takes its `default` (read like a value
 * that was set), is refused (`required`), or has no value (`unset` says what that means).
 */
export type Setting<T> = SettingBase<T> & ({ readonly default: string | number | boolean } | { readonly required: true } | { readonly unset: string });

const BOTH = ['web', 'worker'] as const;
const WEB = ['web'] as const;
const WORKER = ['worker'] as const;

const MIB = 1024 * 1024;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const SETTINGS = {
  NODE_ENV: {
    area: 'process',
    readBy: BOTH,
    kind: text('any text'),
    unset: 'not production',
    about: 'production makes REDIS_REQUIRE_NOEVICTION default to true (set it in production); it has no other effect on the service',
  },
  LOG_LEVEL: {
    area: 'process',
    readBy: BOTH,
    kind: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    about: 'the least severe level logged (JSON lines on stdout)',
  },
  SHUTDOWN_TIMEOUT_MS: {
    area: 'process',
    readBy: BOTH,
    kind: wholeNumber(1_000, 600_000),
    default: 25_000,
    about: 'deadline for a graceful stop after SIGTERM, then exit 1',
  },

  PORT: {
    area: 'http',
    readBy: WEB,
    kind: wholeNumber(0, 65535),
    default: 3000,
    about: 'HTTP port of the web process (0: a free port the system picks)',
  },
  HOST: {
    area: 'http',
    readBy: BOTH,
    kind: text('an interface address or host name'),
    default: '0.0.0.0',
    about: "interface the web process's PORT and the worker's WORKER_HEALTH_PORT listen on",
  },
  PUBLIC_URL: {
    area: 'http',
    readBy: WEB,
    kind: publicUrl,
    required: true,
    about: 'the base URL at which Losant reaches this service; callback URLs are built on it',
  },
  TRUST_PROXY: {
    area: 'http',
    readBy: WEB,
    kind: trustProxy,
    default: 'false',
    about:
      "whom X-Forwarded-* is believed from: behind a TLS-terminating proxy, the number of proxy hops in front of the service or the proxies' addresses; believing anyone would let every client choose its own address",
  },
  HTTP_KEEP_ALIVE_TIMEOUT_MS: {
    area: 'http',
    readBy: WEB,
    kind: wholeNumber(1_000, 240_000),
    default: 65_000,
    about:
      "how long an idle keep-alive connection stays open: keep it above the idle timeout of the load balancer in front (60 s on AWS ALB, Google Cloud, nginx defaults), or requests on connections the service just closed fail with 502; the time allowed for a request's headers is this plus 5 s",
  },
  TLS_CERT_FILE: {
    area: 'http',
    readBy: WEB,
    kind: readableFile,
    unset: 'plain HTTP',
    about:
      'PEM certificate (chain) the web process serves HTTPS with on PORT (TLS 1.2 or later), with TLS_KEY_FILE: both or neither; read again on SIGHUP (kill -HUP), a failed reload keeps the previous pair',
  },
  TLS_KEY_FILE: {
    area: 'http',
    readBy: WEB,
    kind: readableFile,
    unset: 'plain HTTP',
    about: "PEM private key of TLS_CERT_FILE's certificate, unencrypted; both or neither",
  },
  WORKER_HEALTH_PORT: {
    area: 'http',
    readBy: WORKER,
    kind: wholeNumber(0, 65535),
    unset: 'off',
    about:
      'port on which a worker answers GET /healthz (alive) and GET /readyz (Redis answers, its maxmemory-policy passed the last check, the worker consumes; 503 with reasons otherwise); 0: a free port the system picks. The web process answers both on PORT',
  },

  REDIS_URL: {
    area: 'redis',
    readBy: BOTH,
    kind: redisUrl,
    default: 'redis://127.0.0.1:6379',
    about:
      'the Redis server (redis://[user:password@]host:port[/db], rediss:// for TLS), or the master of a Sentinel set: redis+sentinel://[user:password@]host:port[,host:port...]/<master name>[/<db>][?sentinelPassword=...] (rediss+sentinel:// for TLS), or a Redis Cluster: redis+cluster://[user:password@]host:port[,host:port...] (seed nodes; rediss+cluster:// for TLS; REDIS_PREFIX must then be a hash tag); it must use maxmemory-policy noeviction (every master of a cluster)',
  },
  REDIS_TLS_CA_FILE: {
    area: 'redis',
    readBy: BOTH,
    kind: readableFile,
    unset: "the system's CA certificates",
    about: 'rediss:// only: PEM CA certificate(s) the Redis server (and sentinels, or cluster nodes) must present a certificate from, for a private CA',
  },
  REDIS_PREFIX: {
    area: 'redis',
    readBy: BOTH,
    kind: redisPrefix,
    default: 'report-relay',
    about:
      "key prefix for records and queues (several deployments can share one Redis); with redis+cluster:// it must carry a hash tag, e.g. {report-relay}, which puts all of the deployment's keys in one hash slot",
  },
  REDIS_REQUIRE_NOEVICTION: {
    area: 'redis',
    readBy: BOTH,
    kind: flag,
    unset: 'true when NODE_ENV=production, else false',
    about:
      'true: refuse to start when maxmemory-policy is not noeviction, and answer /readyz 503 while a periodic check finds another policy; false (the override): start anyway and warn loudly',
  },
  REDIS_CHECK_INTERVAL_MS: {
    area: 'redis',
    readBy: BOTH,
    kind: wholeNumber(100, 3_600_000),
    default: 60_000,
    about: "how often each process checks Redis's maxmemory-policy and persistence again after the start",
  },

  ADMIN_TOKEN: {
    area: 'admin',
    readBy: WEB,
    kind: secretToken(16),
    required: true,
    about: 'bearer token for /admin (generate one with: openssl rand -hex 32)',
  },
  ADMIN_RATE_LIMIT_PER_MINUTE: {
    area: 'admin',
    readBy: WEB,
    kind: wholeNumber(1, 1_000_000),
    default: 300,
    about: 'admin requests that present the token, per client address (IPv6: per /64) per minute (all web processes together)',
  },
  ADMIN_AUTH_FAILURES_PER_MINUTE: {
    area: 'admin',
    readBy: WEB,
    kind: wholeNumber(1, 1_000_000),
    default: 10,
    about:
      'admin requests without the valid token, per client address (IPv6: per /64) per minute, counted apart: above it the client gets 429 for the rest of the minute, even with the token, which is then not checked (so guessing learns nothing); they never use up the budget of requests with the token',
  },

  UI_SESSION_IDLE_MINUTES: {
    area: 'ui',
    readBy: WEB,
    kind: wholeNumber(1, 1_440),
    default: 30,
    about: 'a dashboard session ends after this many minutes without a request',
  },
  UI_SESSION_MAX_HOURS: {
    area: 'ui',
    readBy: WEB,
    kind: wholeNumber(1, 720),
    default: 12,
    about: 'a dashboard session ends this many hours after sign-in, however active',
  },
  UI_SIGN_IN_FAILURES_PER_MINUTE: {
    area: 'ui',
    readBy: WEB,
    kind: wholeNumber(1, 1_000_000),
    default: 10,
    about:
      'failed dashboard sign-ins per client address (IPv6: per /64) per minute (all web processes together); above it every sign-in from that address is refused until the minute ends, without the token being checked',
  },
  UI_QUEUE_ACTIONS: {
    area: 'ui',
    readBy: WEB,
    kind: flag,
    default: false,
    about:
      'the queue board at /ui/queues (bull-board) may retry failed jobs and remove jobs; without it the board only shows the queue (adding, editing, pausing, emptying are never allowed)',
  },

  LOSANT_API_URL: {
    area: 'losant',
    readBy: BOTH,
    kind: kind(
      z.url({ message: 'must be an absolute URL' }).transform((value) => value.replace(/\/+$/u, '')),
      'an absolute URL',
    ),
    default: 'https://api.losant.com',
    about: "Losant API base URL (the simulator's URL for local use)",
  },
  LOSANT_API_TOKEN: {
    area: 'losant',
    readBy: WEB,
    kind: text('an API token'),
    required: true,
    about: 'API token with the all.Instance or instance.* scope (managing schedules needs a non-read scope)',
  },
  LOSANT_INSTANCE_ID: {
    area: 'losant',
    readBy: BOTH,
    kind: text('24 hexadecimal digits', z.string().regex(/^[A-Fa-f\d]{24}$/u, 'must be 24 hexadecimal digits')),
    required: true,
    about: 'your Losant instance: the web process requests its reports, the worker names it in report emails',
  },
  LOSANT_TIMEOUT_MS: {
    area: 'losant',
    readBy: BOTH,
    kind: wholeNumber(100, 300_000),
    default: 15_000,
    about: 'timeout of one Losant API attempt',
  },
  LOSANT_MAX_RETRIES: {
    area: 'losant',
    readBy: BOTH,
    kind: wholeNumber(0, 10),
    default: 3,
    about: 'retries on 429, 5xx and network errors (never on 400/401/403/404)',
  },

  SMTP_URL: {
    area: 'email',
    readBy: WORKER,
    kind: urlWithScheme(['smtp', 'smtps']),
    unset: 'no mail server',
    about: 'mail server, e.g. smtp://user:pass@host:587 or smtps://user:pass@host:465; unset, emails are written as .eml files under DATA_DIR/outbox',
  },
  MAIL_FROM: {
    area: 'email',
    readBy: WORKER,
    kind: text('an email address, optionally with a display name'),
    default: 'report-relay <report-relay@localhost>',
    about: 'From: of report emails',
  },
  REPORT_EMAIL_TO: {
    area: 'email',
    readBy: WEB,
    kind: emailList,
    default: '',
    about: 'recipients of a report whose request or schedule names none',
  },
  EMAIL_GZIP_ABOVE_BYTES: {
    area: 'email',
    readBy: WORKER,
    kind: wholeNumber(0),
    default: 2 * MIB,
    about: 'attach the CSV gzipped when it is larger than this',
  },
  EMAIL_MAX_ATTACHMENT_BYTES: {
    area: 'email',
    readBy: WORKER,
    kind: wholeNumber(0),
    default: 20 * MIB,
    about: 'above this (after gzip) the CSV is not attached; the email says where it is archived',
  },
  EMAIL_ARCHIVE_LINK_HOURS: {
    area: 'email',
    readBy: WORKER,
    kind: wholeNumber(0, 168),
    default: 0,
    about:
      "0: no link; otherwise, with an s3:// archive, report emails carry a presigned link to the archived CSV that works this many hours (at most 168, S3's limit; a link signed with temporary credentials, such as an instance role's, stops working when they expire)",
  },
  SMTP_TIMEOUT_MS: {
    area: 'email',
    readBy: WORKER,
    kind: wholeNumber(1_000, 600_000),
    default: 60_000,
    about: 'connection, greeting and socket timeout for SMTP',
  },
  SMTP_REQUIRE_TLS: {
    area: 'email',
    readBy: WORKER,
    kind: flag,
    default: true,
    about:
      'smtp:// only: the connection must be upgraded with STARTTLS (certificate verified), and a server that does not offer it is refused before the login; false sends in plaintext when the server offers no STARTTLS (smtps:// is always TLS)',
  },

  DATA_DIR: {
    area: 'storage',
    readBy: BOTH,
    kind: text('a directory path', z.string().min(1)),
    default: './data',
    about: 'the report archive when ARCHIVE_URL is unset (DATA_DIR/archive, read by both sides), the outbox and the work files (the worker)',
  },
  ARCHIVE_URL: {
    area: 'storage',
    readBy: BOTH,
    kind: archiveUrl,
    unset: 'the folder DATA_DIR/archive',
    about:
      'where reports are archived: file: (the folder DATA_DIR/archive), file:/some/path, or s3://bucket/prefix for an S3-compatible store (needed when workers run on several hosts: a retry elsewhere reads the report back from it)',
  },
  ARCHIVE_S3_ENDPOINT: {
    area: 'storage',
    readBy: BOTH,
    kind: urlWithScheme(['http', 'https']),
    unset: 'AWS S3 in ARCHIVE_S3_REGION',
    about: 's3:// archive: the endpoint of an S3-compatible store (MinIO, Ceph, R2...), e.g. https://minio.internal:9000',
  },
  ARCHIVE_S3_REGION: {
    area: 'storage',
    readBy: BOTH,
    kind: text('a region name', z.string().min(1)),
    default: 'us-east-1',
    about: "s3:// archive: the bucket's region (signing region for other stores)",
  },
  ARCHIVE_S3_FORCE_PATH_STYLE: {
    area: 'storage',
    readBy: BOTH,
    kind: flag,
    default: false,
    about: 's3:// archive: address the bucket in the path (endpoint/bucket/key) rather than as a host name; most self-hosted stores need true',
  },
  ARCHIVE_S3_ACCESS_KEY_ID: {
    area: 'storage',
    readBy: BOTH,
    kind: text('an access key id', z.string().min(1)),
    unset: "the AWS SDK's default credential chain (environment, shared files, instance or task role)",
    about: 's3:// archive: access key id; set together with ARCHIVE_S3_SECRET_ACCESS_KEY',
  },
  ARCHIVE_S3_SECRET_ACCESS_KEY: {
    area: 'storage',
    readBy: BOTH,
    kind: text('a secret access key', z.string().min(1)),
    unset: "the AWS SDK's default credential chain",
    about: 's3:// archive: secret access key; set together with ARCHIVE_S3_ACCESS_KEY_ID',
  },
  ARCHIVE_S3_TIMEOUT_MS: {
    area: 'storage',
    readBy: BOTH,
    kind: wholeNumber(1_000, 600_000),
    default: 30_000,
    about:
      's3:// archive: connection timeout and idle-socket timeout of every request, and the deadline of each call that moves no report bytes (stat, list, delete, the start of a read)',
  },

  DOWNLOAD_ALLOWED_HOSTS: {
    area: 'downloads',
    readBy: WORKER,
    kind: kind(commaList, 'comma-separated host names; *.x matches the subdomains of x'),
    default: '*.losant.com,*.onlosant.com',
    about:
      "hosts a report may be downloaded from: Losant's own domains only, never a shared storage domain such as *.amazonaws.com (it admits anyone's bucket); if Losant's links point at a storage bucket, name that bucket's host exactly",
  },
  DOWNLOAD_ALLOWED_PORTS: {
    area: 'downloads',
    readBy: WORKER,
    kind: portList,
    default: '443',
    about: 'ports a download URL may use (the default allows https on its standard port only)',
  },
  DOWNLOAD_ALLOW_PRIVATE_NETWORKS: {
    area: 'downloads',
    readBy: WORKER,
    kind: flag,
    default: false,
    about: 'true only for local use (the simulator on loopback): allows private and loopback addresses',
  },
  DOWNLOAD_MAX_BYTES: {
    area: 'downloads',
    readBy: WORKER,
    kind: wholeNumber(1),
    default: 1024 * MIB,
    about: "cap on a report's decoded size, all the parts a callback names together (also applies to gzip-encoded downloads)",
  },
  DOWNLOAD_CONNECT_TIMEOUT_MS: {
    area: 'downloads',
    readBy: WORKER,
    kind: wholeNumber(100, 120_000),
    default: 10_000,
    about: 'TCP/TLS connect timeout',
  },
  DOWNLOAD_IDLE_TIMEOUT_MS: {
    area: 'downloads',
    readBy: WORKER,
    kind: wholeNumber(100, 600_000),
    default: 30_000,
    about: 'longest silence while waiting for headers or between body chunks',
  },
  DOWNLOAD_TIMEOUT_MS: {
    area: 'downloads',
    readBy: WORKER,
    kind: wholeNumber(1_000, 6 * HOUR),
    default: 15 * MINUTE,
    about: 'cap on a whole download, retries included',
  },

  CALLBACK_MAX_BYTES: {
    area: 'callbacks',
    readBy: BOTH,
    kind: wholeNumber(1024),
    default: 25 * MIB,
    about: 'largest callback body accepted (413 above), as sent and decoded; inline CSVs count here. Workers decode a body kept compressed within it',
  },
  CALLBACK_OVERDUE_MS: {
    area: 'callbacks',
    readBy: WEB,
    kind: wholeNumber(1_000),
    default: 6 * HOUR,
    about: 'a report with no callback this long after its request is marked overdue',
  },
  MISSED_RUN_CHECK_INTERVAL_MS: {
    area: 'callbacks',
    readBy: WEB,
    kind: wholeNumber(100, 3_600_000),
    default: MINUTE,
    about:
      'how often a web process (one at a time) looks for schedule runs whose callback has not come CALLBACK_OVERDUE_MS after their fire time, and lists them as missed',
  },
  CALLBACK_BODY_RETENTION_DAYS: {
    area: 'callbacks',
    readBy: BOTH,
    kind: wholeNumber(0),
    default: 0,
    about:
      'days a kept callback body (inline CSVs: up to CALLBACK_MAX_BYTES) stays in Redis; 0: as long as its report (REPORT_RETENTION_DAYS, which it may not exceed). After it the report record stays, but it can no longer be run again from its callback',
  },
  REDIS_WAIT_REPLICAS: {
    area: 'callbacks',
    readBy: BOTH,
    kind: wholeNumber(0, 16),
    default: 0,
    about:
      'how many Redis replicas must confirm a kept callback (Redis WAIT, on the connection that wrote it) before it is answered 2xx and enqueued; fewer within REDIS_WAIT_TIMEOUT_MS: 503 with Retry-After, so Losant sends it again. Workers wait for as many before each email hand-off, and put the job back when fewer confirm. 0: no wait (a failover may lose callbacks the old master acknowledged; see README: Deploying)',
  },
  REDIS_WAIT_TIMEOUT_MS: {
    area: 'callbacks',
    readBy: BOTH,
    // Below the 5 s command timeout of the web's Redis connection, which would otherwise cut the WAIT off.
    kind: wholeNumber(1, 4_000),
    default: 500,
    about: 'how long a callback waits for REDIS_WAIT_REPLICAS replicas to confirm it; the connection that wrote it waits too, so keep it short',
  },

  CSV_MAX_COLUMNS: {
    area: 'csv',
    readBy: WORKER,
    kind: wholeNumber(1),
    default: 2_000,
    about: 'more columns than this fails the report with a clear reason',
  },
  CSV_MAX_FIELD_BYTES: {
    area: 'csv',
    readBy: WORKER,
    kind: wholeNumber(16),
    default: MIB,
    about: 'a single field larger than this fails the report with its line number',
  },

  INSIGHTS_LOSANT_API_TOKEN: {
    area: 'insights',
    readBy: WORKER,
    kind: text('an API token'),
    unset: 'no insights that need Losant: reports say which are unavailable and why',
    about:
      'API token the worker reads the instance with (get, counts, historicalSummaries) for the insights of each report; a read-only scope (all.Instance.read) is enough',
  },
  INSIGHTS_WARNING_PERCENT: {
    area: 'insights',
    readBy: WORKER,
    kind: wholeNumber(1, 100),
    default: 80,
    about: 'usage (or a month-end projection) at or above this percentage of its limit is flagged as a warning; above 100% as over',
  },
  ALERT_EMAIL_TO: {
    area: 'insights',
    readBy: WORKER,
    kind: emailList,
    default: '',
    about:
      'recipients of usage alerts (an organization at its warning threshold, over its limit, or projected over it), each sent once per organization, metric and period',
  },
  ALERT_WEBHOOK_URL: {
    area: 'insights',
    readBy: WORKER,
    kind: urlWithScheme(['https', 'http']),
    unset: 'no alert webhook',
    about:
      'URL usage alerts are POSTed to as JSON, signed as Standard Webhooks describes; private and loopback addresses are refused unless ALERT_WEBHOOK_ALLOW_PRIVATE_NETWORKS is true',
  },
  ALERT_WEBHOOK_SECRET: {
    area: 'insights',
    readBy: WORKER,
    kind: kind(
      z.string().refine((value) => /^whsec_[A-Za-z0-9+/]{22,}={0,2}$/u.test(value), 'must be whsec_ followed by at least 16 bytes of base64'),
      'whsec_ and base64 (generate with: echo whsec_$(openssl rand -base64 32))',
    ),
    unset: 'required when ALERT_WEBHOOK_URL is set',
    about: 'the key alert webhooks are signed with',
  },
  ALERT_WEBHOOK_ALLOW_PRIVATE_NETWORKS: {
    area: 'insights',
    readBy: WORKER,
    kind: flag,
    default: false,
    about: 'true only when the alert receiver is on a private network or loopback',
  },
  ALERT_WEBHOOK_ATTEMPTS: {
    area: 'insights',
    readBy: WORKER,
    kind: wholeNumber(1, 20),
    default: 5,
    about: 'tries of one alert webhook (capped exponential backoff from 1 s to 60 s between them) before the alert is left for the next report',
  },
  ALERT_KINDS: {
    area: 'insights',
    readBy: WORKER,
    kind: kind(commaList.pipe(z.array(z.enum(['warning', 'over', 'projected-over']))), 'comma-separated: warning, over, projected-over'),
    default: 'warning,over,projected-over',
    about: 'which findings send an alert; a more serious one for the same organization, metric and period is sent after a lesser one',
  },
  INSIGHTS_RECONCILE_TOLERANCE_PERCENT: {
    area: 'insights',
    readBy: WORKER,
    kind: kind(
      z.string().transform((value, ctx) => {
        const n = Number(value);
        if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) {
          ctx.addIssue({ code: 'custom', message: `must be a number from 0 to 100, got "${value}"` });
          return z.NEVER;
        }
        return n;
      }),
      'a number from 0 to 100',
    ),
    default: 1,
    about: "a day where the report and Losant's counts differ by more than this percentage (of Losant's figure) is flagged",
  },

  WORKER_CONCURRENCY: {
    area: 'jobs',
    readBy: WORKER,
    kind: wholeNumber(1, 64),
    default: 2,
    about: 'report jobs one worker process runs at once',
  },
  JOB_ATTEMPTS: {
    area: 'jobs',
    readBy: BOTH,
    kind: wholeNumber(1, 100),
    default: 13,
    about:
      'attempts of a report job on transient errors (an SMTP server or download host down, Redis hiccups); with the default delays the 12 retries span about 81 minutes, and the worker logs the window (retryWindowMinutes) at start',
  },
  JOB_BACKOFF_MS: {
    area: 'jobs',
    readBy: BOTH,
    kind: wholeNumber(10),
    default: 5_000,
    about:
      'delay before the first retry; each next one doubles, up to JOB_BACKOFF_MAX_MS, and is shortened by up to 10 % at random so jobs that failed together spread out',
  },
  JOB_BACKOFF_MAX_MS: {
    area: 'jobs',
    readBy: WORKER,
    kind: wholeNumber(10, 24 * HOUR),
    default: 15 * MINUTE,
    about: 'cap on one delay between attempts (below JOB_BACKOFF_MS, JOB_BACKOFF_MS is the cap)',
  },
  JOB_LOCK_MS: {
    area: 'jobs',
    readBy: WORKER,
    kind: wholeNumber(1_000, 3_600_000),
    default: 60_000,
    about: "job lock lifetime (renewed while running): a crashed worker's job is retried after about this long",
  },
  COMPLETED_JOBS_KEEP: {
    area: 'jobs',
    readBy: BOTH,
    kind: wholeNumber(0),
    default: 1_000,
    about: 'completed queue jobs kept (also dropped after 7 days)',
  },
  FAILED_JOBS_KEEP: {
    area: 'jobs',
    readBy: BOTH,
    kind: wholeNumber(0),
    default: 5_000,
    about: 'failed queue jobs kept (also dropped after 30 days)',
  },
  ARCHIVE_RETENTION_DAYS: {
    area: 'storage',
    readBy: WORKER,
    kind: wholeNumber(0, 36_500),
    default: 0,
    about:
      "0: archived reports are kept forever; otherwise the worker's housekeeping removes archived files (by their own modification time) older than this many days, at most 1,000 a run. A report whose archived CSV is gone can no longer be retried from it",
  },
  WORK_FILES_RETENTION_HOURS: {
    area: 'jobs',
    readBy: WORKER,
    kind: wholeNumber(1),
    default: 24,
    about:
      'a worker removes the work files (downloaded CSV, attachment, gzip copy) of a report that is not running once they are this old; a retry reads the archived CSV or downloads again',
  },
  REPORT_RETENTION_DAYS: {
    area: 'jobs',
    readBy: BOTH,
    kind: wholeNumber(1),
    default: 400,
    about: 'report records and kept callback bodies expire this long after their last change',
  },
  REPORT_RETENTION_SECONDS: {
    area: 'jobs',
    readBy: BOTH,
    kind: wholeNumber(0),
    default: 0,
    about: 'tests only: when above 0, overrides REPORT_RETENTION_DAYS (in seconds)',
  },

  METRICS_TOKEN: {
    area: 'metrics',
    readBy: BOTH,
    kind: secretToken(16),
    unset: 'off: the web process does not serve /metrics; a worker metrics port answers without a token (it then listens on loopback only)',
    about:
      'bearer token a Prometheus scrape of GET /metrics must present (Authorization: Bearer ...), on the web process (PORT) and on a worker metrics port; generate one with: openssl rand -hex 32',
  },
  WORKER_METRICS_PORT: {
    area: 'metrics',
    readBy: WORKER,
    kind: wholeNumber(0, 65535),
    unset: 'off',
    about: 'port on which a worker answers GET /metrics (and nothing else), on WORKER_METRICS_HOST; 0: a free port the system picks',
  },
  WORKER_METRICS_HOST: {
    area: 'metrics',
    readBy: WORKER,
    kind: text('an interface address or host name'),
    default: '127.0.0.1',
    about:
      'interface WORKER_METRICS_PORT listens on: loopback by default (a scraper on the same machine or pod); any other needs METRICS_TOKEN, and the worker refuses to start without it',
  },
} as const satisfies Record<string, Setting<unknown>>;

export type SettingName = keyof typeof SETTINGS;

/** The value a setting is read as: its kind's, or undefined for a setting with no default when unset. */
type ValueOf<S> = S extends { readonly kind: Kind<infer T> } ? (S extends { readonly unset: string } ? T | undefined : T) : never;

export type SettingValues = { readonly [K in SettingName]: ValueOf<(typeof SETTINGS)[K]> };

/** The settings the given side reads. */
export type NamesReadBy<S extends Side> = { [K in SettingName]: S extends (typeof SETTINGS)[K]['readBy'][number] ? K : never }[SettingName];
