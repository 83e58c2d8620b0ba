import { z } from 'zod';
import { SETTINGS, type NamesReadBy, type Setting, type SettingName, type SettingValues } from './config/settings.js';
import { describeIssues } from './errors.js';
import { hasHashTag } from './redis-prefix.js';
import { parseRedisUrl } from './redis-url.js';
import { SIDES_OF_ROLE, type Role, type Side } from './role.js';

/**
 * The one reader of process.env. A process reads the settings of its role only (src/config/settings.ts
 * says which side reads each): a worker needs none of the web's, the web none of the worker's. Every
 * one of them is parsed and validated here, once; a bad configuration refuses to start with every
 * problem listed.
 */

export type { Role, Side } from './role.js';

type Values<S extends Side> = Pick<SettingValues, NamesReadBy<S>>;
type SharedValues = Pick<SettingValues, NamesReadBy<'web'> & NamesReadBy<'worker'>>;

/** What both sides read. */
function sharedConfig(v: SharedValues) {
  const production = v.NODE_ENV === 'production';
  return {
    /** NODE_ENV=production: the defaults that protect data are strict (REDIS_REQUIRE_NOEVICTION). */
    production,
    logLevel: v.LOG_LEVEL,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    dataDir: v.DATA_DIR,
    /** Where reports are archived (src/delivery/create-archive.ts): null, the folder DATA_DIR/archive. */
    archive: {
      url: v.ARCHIVE_URL ?? null,
      s3: {
        endpoint: v.ARCHIVE_S3_ENDPOINT ?? null,
        region: v.ARCHIVE_S3_REGION,
        forcePathStyle: v.ARCHIVE_S3_FORCE_PATH_STYLE,
        accessKeyId: v.ARCHIVE_S3_ACCESS_KEY_ID ?? null,
        secretAccessKey: v.ARCHIVE_S3_SECRET_ACCESS_KEY ?? null,
        timeoutMs: v.ARCHIVE_S3_TIMEOUT_MS,
      },
    },
    instanceId: v.LOSANT_INSTANCE_ID,
    redis: {
      url: v.REDIS_URL,
      /** REDIS_TLS_CA_FILE: a private CA for rediss:// (read at start). */
      tlsCaFile: v.REDIS_TLS_CA_FILE ?? null,
      prefix: v.REDIS_PREFIX,
      /** Refuse to start (and be unready) when maxmemory-policy is not noeviction; defaults to `production`. */
      requireNoEviction: v.REDIS_REQUIRE_NOEVICTION ?? production,
      /** How often the eviction policy and persistence are checked again after the start. */
      checkIntervalMs: v.REDIS_CHECK_INTERVAL_MS,
    },
    /** The options of every job added to the queue, by whichever side adds it. */
    jobs: {
      attempts: v.JOB_ATTEMPTS,
      /** Delay before a job's first retry; each next one doubles, up to the worker's cap (worker.retries). */
      backoffMs: v.JOB_BACKOFF_MS,
      completedKeep: v.COMPLETED_JOBS_KEEP,
      failedKeep: v.FAILED_JOBS_KEEP,
    },
    retention: {
      reportDays: v.REPORT_RETENTION_DAYS,
      /** REPORT_RETENTION_SECONDS when set (tests), else REPORT_RETENTION_DAYS in seconds. */
      reportSeconds: v.REPORT_RETENTION_SECONDS > 0 ? v.REPORT_RETENTION_SECONDS : v.REPORT_RETENTION_DAYS * 86_400,
      /** How long a kept callback body lives; null: as long as its report record. */
      callbackBodyDays: v.CALLBACK_BODY_RETENTION_DAYS > 0 ? v.CALLBACK_BODY_RETENTION_DAYS : null,
    },
    /** The largest callback body, as sent and decoded: the web refuses larger ones, a worker decodes kept ones within it. */
    callbackMaxBytes: v.CALLBACK_MAX_BYTES,
    /** REDIS_WAIT_REPLICAS and REDIS_WAIT_TIMEOUT_MS: replicas that must confirm a kept callback (web) or an email hand-off (worker); 0: no wait. */
    replicaWait: { replicas: v.REDIS_WAIT_REPLICAS, timeoutMs: v.REDIS_WAIT_TIMEOUT_MS },
    /** METRICS_TOKEN: what a scrape of /metrics must present; null: the web serves no /metrics, a worker's metrics port (loopback) asks for none. */
    metricsToken: v.METRICS_TOKEN ?? null,
  };
}

/** What the web side reads: HTTP, the admin API, the Losant client, report requests and callbacks. */
function webConfig(v: Values<'web'>) {
  return {
    http: {
      port: v.PORT,
      host: v.HOST,
      publicUrl: v.PUBLIC_URL,
      trustProxy: v.TRUST_PROXY,
      /** TLS_CERT_FILE and TLS_KEY_FILE: the web process serves HTTPS itself; null: plain HTTP (a proxy in front terminates TLS). */
      tls: v.TLS_CERT_FILE !== undefined && v.TLS_KEY_FILE !== undefined ? { certFile: v.TLS_CERT_FILE, keyFile: v.TLS_KEY_FILE } : null,
      /**
       * Send Strict-Transport-Security: the service is reached over HTTPS, served here or by a proxy in
       * front (PUBLIC_URL is https://). Not on plain http://, where browsers ignore it anyway and a
       * loopback address would be pinned to HTTPS for every port on it.
       */
      strictTransportSecurity: v.TLS_CERT_FILE !== undefined || v.PUBLIC_URL.startsWith('https://'),
      /** How long an idle keep-alive connection stays open: longer than a load balancer's idle timeout (often 60 s). */
      keepAliveTimeoutMs: v.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      /** How long a client may take to send a request's headers: keepAliveTimeoutMs plus 5 s. */
      headersTimeoutMs: v.HTTP_KEEP_ALIVE_TIMEOUT_MS + 5_000,
    },
    admin: {
      token: v.ADMIN_TOKEN,
      rateLimitPerMinute: v.ADMIN_RATE_LIMIT_PER_MINUTE,
      /** Failed authentications per client address (IPv6: per /64) and minute, counted apart from the rate limit. */
      authFailuresPerMinute: v.ADMIN_AUTH_FAILURES_PER_MINUTE,
    },
    /** The dashboard at /ui: its sessions, sign-in limit and what the queue board may do. */
    ui: {
      sessionIdleMs: v.UI_SESSION_IDLE_MINUTES * 60_000,
      sessionMaxMs: v.UI_SESSION_MAX_HOURS * 3_600_000,
      signInFailuresPerMinute: v.UI_SIGN_IN_FAILURES_PER_MINUTE,
      /** UI_QUEUE_ACTIONS: the queue board at /ui/queues may retry and remove jobs. */
      queueActions: v.UI_QUEUE_ACTIONS,
    },
    losant: { apiUrl: v.LOSANT_API_URL, apiToken: v.LOSANT_API_TOKEN, timeoutMs: v.LOSANT_TIMEOUT_MS, maxRetries: v.LOSANT_MAX_RETRIES },
    /** Recipients of a report whose request or schedule names none. */
    defaultRecipients: v.REPORT_EMAIL_TO,
    callbackOverdueMs: v.CALLBACK_OVERDUE_MS,
    /** How often the web side looks for schedule runs whose callback is overdue (CALLBACK_OVERDUE_MS after the fire time). */
    missedRunCheckIntervalMs: v.MISSED_RUN_CHECK_INTERVAL_MS,
  };
}

/** What the worker side reads: the job steps (download, CSV, mail), the worker and its housekeeping. */
function workerConfig(v: Values<'worker'>) {
  return {
    concurrency: v.WORKER_CONCURRENCY,
    /** The worker's retry schedule (src/jobs/job-backoff.ts): delays from backoffMs, doubling, capped at backoffMaxMs. */
    retries: { attempts: v.JOB_ATTEMPTS, backoffMs: v.JOB_BACKOFF_MS, backoffMaxMs: Math.max(v.JOB_BACKOFF_MAX_MS, v.JOB_BACKOFF_MS) },
    /** How long a job's lock lives without renewal: a killed worker's job is taken over after about this long. */
    lockMs: v.JOB_LOCK_MS,
    /** How long the work files of a report that is not running stay on a worker's disk. */
    workFilesRetentionMs: v.WORK_FILES_RETENTION_HOURS * 3_600_000,
    /** How long archived files stay (by their own modification time); null: forever. */
    archiveRetentionDays: v.ARCHIVE_RETENTION_DAYS > 0 ? v.ARCHIVE_RETENTION_DAYS : null,
    /** Where the worker answers /healthz and /readyz; null: it does not listen. */
    health: v.WORKER_HEALTH_PORT === undefined ? null : { port: v.WORKER_HEALTH_PORT, host: v.HOST },
    /** Where the worker answers GET /metrics; null: it does not listen. */
    metrics: v.WORKER_METRICS_PORT === undefined ? null : { port: v.WORKER_METRICS_PORT, host: v.WORKER_METRICS_HOST },
    download: {
      allowedHosts: v.DOWNLOAD_ALLOWED_HOSTS,
      allowedPorts: v.DOWNLOAD_ALLOWED_PORTS,
      allowPrivateNetworks: v.DOWNLOAD_ALLOW_PRIVATE_NETWORKS,
      maxBytes: v.DOWNLOAD_MAX_BYTES,
      connectTimeoutMs: v.DOWNLOAD_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: v.DOWNLOAD_IDLE_TIMEOUT_MS,
      totalTimeoutMs: v.DOWNLOAD_TIMEOUT_MS,
    },
    mail: {
      smtpUrl: v.SMTP_URL,
      from: v.MAIL_FROM,
      gzipAboveBytes: v.EMAIL_GZIP_ABOVE_BYTES,
      maxAttachmentBytes: v.EMAIL_MAX_ATTACHMENT_BYTES,
      /** How long the email's link to the archived CSV works; 0: no link (only archives that sign links make one). */
      archiveLinkSeconds: v.EMAIL_ARCHIVE_LINK_HOURS * 3_600,
      timeoutMs: v.SMTP_TIMEOUT_MS,
      /** smtp:// must be upgraded with STARTTLS (a server that does not offer it is refused). */
      requireTls: v.SMTP_REQUIRE_TLS,
    },
    csv: { maxColumns: v.CSV_MAX_COLUMNS, maxFieldBytes: v.CSV_MAX_FIELD_BYTES },
    insights: {
      /** The worker's read-only Losant access for insights; null without INSIGHTS_LOSANT_API_TOKEN. */
      losant:
        v.INSIGHTS_LOSANT_API_TOKEN === undefined
          ? null
          : { apiUrl: v.LOSANT_API_URL, apiToken: v.INSIGHTS_LOSANT_API_TOKEN, timeoutMs: v.LOSANT_TIMEOUT_MS, maxRetries: v.LOSANT_MAX_RETRIES },
      warningPercent: v.INSIGHTS_WARNING_PERCENT,
      /** A fraction: INSIGHTS_RECONCILE_TOLERANCE_PERCENT / 100. */
      tolerance: v.INSIGHTS_RECONCILE_TOLERANCE_PERCENT / 100,
    },
    alerts: alertsConfig(v),
  };
}

export type SharedConfig = ReturnType<typeof sharedConfig>;
export type WebConfig = ReturnType<typeof webConfig>;
export type WorkerConfig = ReturnType<typeof workerConfig>;

/** A process's configuration: what both sides read, and each side's own settings where its role runs that side. */
export type Config = SharedConfig & {
  /** null when loaded for the worker role. */
  web: WebConfig | null;
  /** null when loaded for the web role. */
  worker: WorkerConfig | null;
};

/** The configuration loadConfig gives a role: the sides the role runs are there. */
export type ConfigFor<R extends Role> = SharedConfig & {
  web: R extends 'worker' ? null : WebConfig;
  worker: R extends 'web' ? null : WorkerConfig;
};

/** A configuration known to hold one side's settings. */
export type ConfigWith<S extends Side> = Readonly<Config & { [K in S]: NonNullable<Config[K]> }>;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(role: Role, problems: string[]) {
    super(
      `Invalid configuration for role ${role}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nSee config/example.env for every setting and which role reads it.`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const given = (raw: unknown): unknown => (typeof raw === 'string' && raw.trim() === '' ? undefined : raw);

/** One setting's parser: an empty value is unset, and unset is its default, refused, or no value. */
function settingSchema(setting: Setting<unknown>, role: Role): z.ZodType {
  if ('default' in setting) return z.preprocess((raw) => given(raw) ?? String(setting.default), setting.kind.parse);
  if ('required' in setting) return z.preprocess(given, z.string({ message: `required (role ${role}): ${setting.about}` }).pipe(setting.kind.parse));
  return z.preprocess(given, setting.kind.parse.optional());
}

// as: Object.keys gives string[]; SETTINGS is a literal, so its keys are exactly the setting names.
const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** The settings a process of this role reads. */
export function settingsOfRole(role: Role): SettingName[] {
  const sides = SIDES_OF_ROLE[role];
  return SETTING_NAMES.filter((name) => SETTINGS[name].readBy.some((side) => sides.includes(side)));
}

/**
 * Reads the settings of `role` from `env` (process.env by default), and only those: a setting the
 * role does not read is neither required nor checked.
 */
export function loadConfig<R extends Role>(role: R, env: Record<string, string | undefined> = process.env): Readonly<ConfigFor<R>> {
  const shape = Object.fromEntries(settingsOfRole(role).map((name): [string, z.ZodType] => [name, settingSchema(SETTINGS[name], role)]));
  const result = z.object(shape).safeParse(env);
  if (!result.success) throw new ConfigError(role, describeIssues(result.error.issues));
  // Only the role's settings are there; each side builder below reads the names of its own side only.
  // as: the object was parsed from exactly those settings' schemas, so each value has its setting's type.
  const values = result.data as SettingValues;
  if (values.CALLBACK_BODY_RETENTION_DAYS > values.REPORT_RETENTION_DAYS) {
    throw new ConfigError(role, [
      `CALLBACK_BODY_RETENTION_DAYS: ${values.CALLBACK_BODY_RETENTION_DAYS} is longer than REPORT_RETENTION_DAYS (${values.REPORT_RETENTION_DAYS}); a callback body is kept at most as long as its report`,
    ]);
  }
  const untagged = clusterPrefixProblem(values.REDIS_URL, values.REDIS_PREFIX);
  if (untagged) throw new ConfigError(role, [untagged]);
  const sides = SIDES_OF_ROLE[role];
  if (sides.includes('web')) {
    const missing = tlsFileMissing(values.TLS_CERT_FILE, values.TLS_KEY_FILE);
    if (missing) throw new ConfigError(role, [missing]);
  }
  if (sides.includes('worker') && values.WORKER_METRICS_PORT !== undefined && values.METRICS_TOKEN === undefined && !isLoopback(values.WORKER_METRICS_HOST)) {
    throw new ConfigError(role, [
      `WORKER_METRICS_HOST: ${values.WORKER_METRICS_HOST} is not a loopback address, and METRICS_TOKEN is not set; set METRICS_TOKEN, or leave WORKER_METRICS_HOST at 127.0.0.1`,
    ]);
  }
  const config: Config = {
    ...sharedConfig(values),
    web: sides.includes('web') ? webConfig(values) : null,
    worker: sides.includes('worker') ? workerConfig(values) : null,
  };
  // as: the sides of `role` were filled in just above, which is what ConfigFor<R> says.
  return deepFreeze(config) as Readonly<ConfigFor<R>>;
}

/** The configuration, known to hold `side`'s settings; refuses one loaded for a role without that side. */
export function requireSide<S extends Side>(config: Readonly<Config>, side: S, role: Role): ConfigWith<S> {
  if (!hasSide(config, side))
    throw new ConfigError(role, [`the ${side} settings are missing: this configuration was loaded for a role without the ${side} side`]);
  return config;
}

function hasSide<S extends Side>(config: Readonly<Config>, side: S): config is ConfigWith<S> {
  return config[side] !== null;
}

/** TLS needs both files: one alone is a mistake (a forgotten line), not a request for plain HTTP. */
function tlsFileMissing(certFile: string | undefined, keyFile: string | undefined): string | null {
  if (certFile !== undefined && keyFile === undefined)
    return 'TLS_KEY_FILE: required when TLS_CERT_FILE is set (the private key of that certificate); set both, or neither for plain HTTP';
  if (certFile === undefined && keyFile !== undefined)
    return 'TLS_CERT_FILE: required when TLS_KEY_FILE is set (the certificate of that key); set both, or neither for plain HTTP';
  return null;
}

/**
 * On a Redis Cluster every key of the deployment must share one hash slot (scripts and MULTIs touch
 * several, and BullMQ's keys must share one too): the prefix must be a hash tag. It is asked for
 * rather than added, so the key names are what REDIS_PREFIX says, on a cluster or not.
 */
function clusterPrefixProblem(url: string, prefix: string): string | null {
  if (parseRedisUrl(url).kind !== 'cluster' || hasHashTag(prefix)) return null;
  return (
    `REDIS_PREFIX: "${prefix}" has no hash tag, and REDIS_URL names a Redis Cluster, where the service's keys must share one hash slot; ` +
    `set REDIS_PREFIX to a tag, e.g. {${prefix}} (keys under another prefix are not moved: start a new deployment's prefix, or move its keys first)`
  );
}

/** Addresses only this machine reaches: a metrics port there may go without a token. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/u.test(host);
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Usage alerts (src/alerts): a webhook URL needs its secret; the secret is only ever handed to the signer. */
function alertsConfig(v: Values<'worker'>) {
  if (v.ALERT_WEBHOOK_URL !== undefined && v.ALERT_WEBHOOK_SECRET === undefined)
    throw new ConfigError('worker', ['ALERT_WEBHOOK_SECRET is required when ALERT_WEBHOOK_URL is set']);
  return {
    emailTo: v.ALERT_EMAIL_TO,
    webhook:
      v.ALERT_WEBHOOK_URL === undefined || v.ALERT_WEBHOOK_SECRET === undefined
        ? null
        : {
            url: v.ALERT_WEBHOOK_URL,
            secret: v.ALERT_WEBHOOK_SECRET,
            allowPrivateNetworks: v.ALERT_WEBHOOK_ALLOW_PRIVATE_NETWORKS,
            attempts: v.ALERT_WEBHOOK_ATTEMPTS,
          },
    kinds: new Set(v.ALERT_KINDS),
  };
}
