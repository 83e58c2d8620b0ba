import { isIP } from 'node:net';
import { z } from 'zod';
import { describeIssues } from './errors.js';

/**
 * The one reader of process.env. Every variable is parsed and validated here, once; a bad
 * configuration refuses to start with every problem listed. config/example.env documents each one.
 */

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((value) => (value === undefined || value === '' ? fallback : ['true', '1', 'yes'].includes(value)));

/** A boolean whose default is decided later (from other settings): undefined when unset or empty. */
const optionalBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((value) => (value === undefined || value === '' ? undefined : ['true', '1', 'yes'].includes(value)));

const int = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}, got "${value}"` });
        return z.NEVER;
      }
      return n;
    });

const list = (fallback: string[]) =>
  z
    .string()
    .optional()
    .transform((value) =>
      value === undefined || value.trim() === ''
        ? fallback
        : value
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item !== ''),
    );

const emailList = list([]).pipe(z.array(z.email({ message: 'every address must be a valid email address' })).max(50));

const secretToken = (name: string) =>
  z.string({ message: `${name} is required` }).min(16, `must be at least 16 characters (generate one with: openssl rand -hex 32)`);

/**
 * Losant accepts callback URLs of at most 1024 characters. Ours are the base plus
 * "/callbacks/r/<26-character id>/<43-character secret>" (83 characters); 900 leaves room.
 */
const MAX_PUBLIC_URL_LENGTH = 900;

const publicUrl = z
  .string({ message: 'PUBLIC_URL is required: the https:// base URL at which Losant reaches this service' })
  .pipe(z.url({ message: 'must be an absolute URL' }))
  .transform((value, ctx) => {
    const url = new URL(value);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
      ctx.addIssue({
        code: 'custom',
        message: 'must use https:// (callback URLs carry a secret); plain http:// is accepted only for localhost, 127.0.0.1 or [::1]',
      });
      return z.NEVER;
    }
    if (url.search !== '' || url.hash !== '') {
      ctx.addIssue({ code: 'custom', message: 'must not have a query string or fragment' });
      return z.NEVER;
    }
    const base = url.toString().replace(/\/+$/u, '');
    if (base.length > MAX_PUBLIC_URL_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${MAX_PUBLIC_URL_LENGTH} characters: Losant refuses callback URLs over 1024, and a callback URL is this base plus about 90 characters`,
      });
      return z.NEVER;
    }
    return base;
  });

/**
 * Whom X-Forwarded-For is believed from, as Express's "trust proxy" takes it: a number of hops
 * or a list of proxy addresses/CIDRs (or Express's names loopback, linklocal, uniquelocal).
 * `true` (believe anyone) is refused: every client could then choose its own address.
 */
const trustProxy = z
  .string()
  .optional()
  .transform((value, ctx): number | string | false => {
    const text = value?.trim() ?? '';
    if (text === '' || text === 'false' || text === '0') return false;
    if (text === 'true') {
      ctx.addIssue({
        code: 'custom',
        message:
          "true is refused: it believes X-Forwarded-For from anyone, so every client could pick its own address (and rate limit). Set the number of proxy hops in front of the service (e.g. 1), or the proxies' addresses or CIDRs (e.g. 10.0.0.0/8, 192.0.2.1, loopback)",
      });
      return z.NEVER;
    }
    if (/^\d+$/u.test(text)) return Number(text);
    const entries = text.split(',').map((entry) => entry.trim());
    if (entries.every((entry) => PROXY_NAMES.has(entry) || isProxyAddress(entry))) return entries.join(', ');
    ctx.addIssue({
      code: 'custom',
      message: 'must be false, a number of proxy hops (e.g. 1), or a comma-separated list of proxy addresses or CIDRs (e.g. 10.0.0.0/8, 192.0.2.1, loopback)',
    });
    return z.NEVER;
  });

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  if (rest.length > 0) return false;
  const version = isIP(address);
  if (version === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/u.test(bits)) return false;
  return Number(bits) <= (version === 4 ? 32 : 128);
}

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  PORT: int(3000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: publicUrl,
  TRUST_PROXY: trustProxy,
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(65_000, 1_000, 240_000),
  SHUTDOWN_TIMEOUT_MS: int(25_000, 1_000, 600_000),

  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .pipe(z.url().refine((value) => /^rediss?:$/u.test(new URL(value).protocol), 'must start with redis:// or rediss://')),
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w-]{1,32}$/u, 'letters, digits, _ or -, at most 32')
    .default('report-relay'),
  REDIS_REQUIRE_NOEVICTION: optionalBool,
  REDIS_CHECK_INTERVAL_MS: int(60_000, 100, 3_600_000),

  ADMIN_TOKEN: secretToken('ADMIN_TOKEN'),
  ADMIN_RATE_LIMIT_PER_MINUTE: int(300, 1, 1_000_000),
  ADMIN_AUTH_FAILURES_PER_MINUTE: int(10, 1, 1_000_000),

  LOSANT_API_URL: z
    .url()
    .default('https://api.losant.com')
    .transform((value) => value.replace(/\/+$/u, '')),
  LOSANT_API_TOKEN: z.string({ message: 'LOSANT_API_TOKEN is required: an API token with the instance.* or all.Instance scope' }).min(1),
  LOSANT_INSTANCE_ID: z
    .string({ message: 'LOSANT_INSTANCE_ID is required: the 24-hex-digit id of your Losant instance' })
    .regex(/^[A-Fa-f\d]{24}$/u, 'must be 24 hexadecimal digits'),
  LOSANT_TIMEOUT_MS: int(15_000, 100, 300_000),
  LOSANT_MAX_RETRIES: int(3, 0, 10),

  SMTP_URL: z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .pipe(
      z
        .url()
        .refine((value) => /^smtps?:$/u.test(new URL(value).protocol), 'must start with smtp:// or smtps://')
        .optional(),
    ),
  MAIL_FROM: z.string().default('report-relay <report-relay@localhost>'),
  REPORT_EMAIL_TO: emailList,
  EMAIL_GZIP_ABOVE_BYTES: int(2 * 1024 * 1024, 0),
  EMAIL_MAX_ATTACHMENT_BYTES: int(20 * 1024 * 1024, 0),
  SMTP_TIMEOUT_MS: int(60_000, 1_000, 600_000),
  SMTP_REQUIRE_TLS: bool(true),

  DATA_DIR: z.string().min(1).default('./data'),

  // Losant's own domains only: a shared storage domain (*.amazonaws.com) would admit anyone's bucket.
  DOWNLOAD_ALLOWED_HOSTS: list(['*.losant.com', '*.onlosant.com']),
  DOWNLOAD_ALLOWED_PORTS: list(['443']).transform((ports, ctx) => {
    if (ports.includes('*')) return '*' as const;
    const numbers = ports.map(Number);
    if (numbers.some((port) => !Number.isInteger(port) || port < 1 || port > 65535)) {
      ctx.addIssue({ code: 'custom', message: 'must be * or a comma-separated list of ports' });
      return z.NEVER;
    }
    return numbers;
  }),
  DOWNLOAD_ALLOW_PRIVATE_NETWORKS: bool(false),
  DOWNLOAD_MAX_BYTES: int(1024 * 1024 * 1024, 1),
  DOWNLOAD_CONNECT_TIMEOUT_MS: int(10_000, 100, 120_000),
  DOWNLOAD_IDLE_TIMEOUT_MS: int(30_000, 100, 600_000),
  DOWNLOAD_TIMEOUT_MS: int(15 * 60_000, 1_000, 6 * 60 * 60_000),

  CALLBACK_MAX_BYTES: int(25 * 1024 * 1024, 1024),
  CALLBACK_OVERDUE_MS: int(6 * 60 * 60_000, 1_000),
  CALLBACK_BODY_RETENTION_DAYS: int(0, 0),
  MISSED_RUN_CHECK_INTERVAL_MS: int(60_000, 100, 3_600_000),

  CSV_MAX_COLUMNS: int(2_000, 1),
  CSV_MAX_FIELD_BYTES: int(1024 * 1024, 16),

  WORKER_CONCURRENCY: int(2, 1, 64),
  JOB_ATTEMPTS: int(13, 1, 100),
  JOB_BACKOFF_MS: int(5_000, 10),
  JOB_BACKOFF_MAX_MS: int(15 * 60_000, 10, 24 * 60 * 60_000),
  JOB_LOCK_MS: int(60_000, 1_000, 3_600_000),
  COMPLETED_JOBS_KEEP: int(1_000, 0),
  WORK_FILES_RETENTION_HOURS: int(24, 1),
  FAILED_JOBS_KEEP: int(5_000, 0),
  REPORT_RETENTION_DAYS: int(400, 1),
  REPORT_RETENTION_SECONDS: int(0, 0),
  // 100 years at most: a cutoff further back than that is "forever", which 0 says plainly.
  ARCHIVE_RETENTION_DAYS: int(0, 0, 36_500),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  /** NODE_ENV=production: the defaults that protect data are strict (REDIS_REQUIRE_NOEVICTION). */
  production: boolean;
  logLevel: string;
  http: {
    port: number;
    host: string;
    publicUrl: string;
    trustProxy: number | string | false;
    /** How long an idle keep-alive connection stays open: longer than a load balancer's idle timeout (often 60 s). */
    keepAliveTimeoutMs: number;
    /** How long a client may take to send a request's headers: keepAliveTimeoutMs plus 5 s. */
    headersTimeoutMs: number;
  };
  shutdownTimeoutMs: number;
  redis: {
    url: string;
    prefix: string;
    /** Refuse to start (and be unready) when maxmemory-policy is not noeviction; defaults to `production`. */
    requireNoEviction: boolean;
    /** How often the eviction policy and persistence are checked again after the start. */
    checkIntervalMs: number;
  };
  admin: {
    token: string;
    rateLimitPerMinute: number;
    /** Failed authentications per client address (IPv6: per /64) and minute, counted apart from the rate limit. */
    authFailuresPerMinute: number;
  };
  losant: { apiUrl: string; apiToken: string; instanceId: string; timeoutMs: number; maxRetries: number };
  mail: {
    smtpUrl: string | undefined;
    from: string;
    defaultRecipients: string[];
    gzipAboveBytes: number;
    maxAttachmentBytes: number;
    timeoutMs: number;
    /** smtp:// must be upgraded with STARTTLS (a server that does not offer it is refused). */
    requireTls: boolean;
  };
  dataDir: string;
  download: {
    allowedHosts: string[];
    allowedPorts: number[] | '*';
    allowPrivateNetworks: boolean;
    maxBytes: number;
    connectTimeoutMs: number;
    idleTimeoutMs: number;
    totalTimeoutMs: number;
  };
  callbacks: {
    maxBytes: number;
    overdueMs: number;
    /** How long a kept callback body lives; null: as long as its report record. */
    bodyRetentionDays: number | null;
  };
  schedules: {
    /** How often the web side looks for schedule runs whose callback is overdue (CALLBACK_OVERDUE_MS after the fire time). */
    missedRunCheckIntervalMs: number;
  };
  csv: { maxColumns: number; maxFieldBytes: number };
  jobs: {
    concurrency: number;
    attempts: number;
    /** Delay before a job's first retry; each next one doubles, up to backoffMaxMs (src/jobs/job-backoff.ts). */
    backoffMs: number;
    backoffMaxMs: number;
    /** How long a job's lock lives without renewal: a killed worker's job is taken over after about this long. */
    lockMs: number;
    completedKeep: number;
    /** How long the work files of a report that is not running stay on a worker's disk. */
    workFilesRetentionMs: number;
    failedKeep: number;
    reportRetentionDays: number;
    /** REPORT_RETENTION_SECONDS when set (tests), else REPORT_RETENTION_DAYS in seconds. */
    reportRetentionSeconds: number;
    /** How long archived files stay (by their own modification time); null: forever. */
    archiveRetentionDays: number | null;
  };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nSee config/example.env for every variable.`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(describeIssues(result.error.issues));
  }
  const e = result.data;
  if (e.CALLBACK_BODY_RETENTION_DAYS > e.REPORT_RETENTION_DAYS) {
    throw new ConfigError([
      `CALLBACK_BODY_RETENTION_DAYS: ${e.CALLBACK_BODY_RETENTION_DAYS} is longer than REPORT_RETENTION_DAYS (${e.REPORT_RETENTION_DAYS}); a callback body is kept at most as long as its report`,
    ]);
  }
  const production = e.NODE_ENV === 'production';
  const config: Config = {
    production,
    logLevel: e.LOG_LEVEL,
    http: {
      port: e.PORT,
      host: e.HOST,
      publicUrl: e.PUBLIC_URL,
      trustProxy: e.TRUST_PROXY,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      headersTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS + 5_000,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    redis: {
      url: e.REDIS_URL,
      prefix: e.REDIS_PREFIX,
      requireNoEviction: e.REDIS_REQUIRE_NOEVICTION ?? production,
      checkIntervalMs: e.REDIS_CHECK_INTERVAL_MS,
    },
    admin: { token: e.ADMIN_TOKEN, rateLimitPerMinute: e.ADMIN_RATE_LIMIT_PER_MINUTE, authFailuresPerMinute: e.ADMIN_AUTH_FAILURES_PER_MINUTE },
    losant: {
      apiUrl: e.LOSANT_API_URL,
      apiToken: e.LOSANT_API_TOKEN,
      instanceId: e.LOSANT_INSTANCE_ID,
      timeoutMs: e.LOSANT_TIMEOUT_MS,
      maxRetries: e.LOSANT_MAX_RETRIES,
    },
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      defaultRecipients: e.REPORT_EMAIL_TO,
      gzipAboveBytes: e.EMAIL_GZIP_ABOVE_BYTES,
      maxAttachmentBytes: e.EMAIL_MAX_ATTACHMENT_BYTES,
      timeoutMs: e.SMTP_TIMEOUT_MS,
      requireTls: e.SMTP_REQUIRE_TLS,
    },
    dataDir: e.DATA_DIR,
    download: {
      allowedHosts: e.DOWNLOAD_ALLOWED_HOSTS,
      allowedPorts: e.DOWNLOAD_ALLOWED_PORTS,
      allowPrivateNetworks: e.DOWNLOAD_ALLOW_PRIVATE_NETWORKS,
      maxBytes: e.DOWNLOAD_MAX_BYTES,
      connectTimeoutMs: e.DOWNLOAD_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: e.DOWNLOAD_IDLE_TIMEOUT_MS,
      totalTimeoutMs: e.DOWNLOAD_TIMEOUT_MS,
    },
    callbacks: {
      maxBytes: e.CALLBACK_MAX_BYTES,
      overdueMs: e.CALLBACK_OVERDUE_MS,
      bodyRetentionDays: e.CALLBACK_BODY_RETENTION_DAYS > 0 ? e.CALLBACK_BODY_RETENTION_DAYS : null,
    },
    schedules: { missedRunCheckIntervalMs: e.MISSED_RUN_CHECK_INTERVAL_MS },
    csv: { maxColumns: e.CSV_MAX_COLUMNS, maxFieldBytes: e.CSV_MAX_FIELD_BYTES },
    jobs: {
      concurrency: e.WORKER_CONCURRENCY,
      attempts: e.JOB_ATTEMPTS,
      backoffMs: e.JOB_BACKOFF_MS,
      backoffMaxMs: Math.max(e.JOB_BACKOFF_MAX_MS, e.JOB_BACKOFF_MS),
      lockMs: e.JOB_LOCK_MS,
      completedKeep: e.COMPLETED_JOBS_KEEP,
      workFilesRetentionMs: e.WORK_FILES_RETENTION_HOURS * 3_600_000,
      failedKeep: e.FAILED_JOBS_KEEP,
      reportRetentionDays: e.REPORT_RETENTION_DAYS,
      reportRetentionSeconds: e.REPORT_RETENTION_SECONDS > 0 ? e.REPORT_RETENTION_SECONDS : e.REPORT_RETENTION_DAYS * 86_400,
      archiveRetentionDays: e.ARCHIVE_RETENTION_DAYS > 0 ? e.ARCHIVE_RETENTION_DAYS : null,
    },
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
