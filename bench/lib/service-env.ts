import { join } from 'node:path';

export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

/**
 * The environment of a service process in a benchmark (src/web.ts or src/worker.ts in a child):
 * production mode, logs at info (to /dev/null by the caller: their cost counts), loopback
 * downloads allowed, Losant unreachable (no case calls it), plain SMTP on loopback.
 */
export function benchServiceEnv(options: {
  port: number;
  prefix: string;
  redisUrl: string;
  dataDir: string;
  smtpUrl?: string;
  extra?: Record<string, string>;
}): NodeJS.ProcessEnv {
  const base = `http://127.0.0.1:${options.port}`;
  return {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    PORT: String(options.port),
    HOST: '127.0.0.1',
    PUBLIC_URL: base,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: options.prefix,
    ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    LOSANT_API_URL: 'http://127.0.0.1:9',
    LOSANT_API_TOKEN: 'bench-losant-token',
    LOSANT_INSTANCE_ID: 'a1b2c3d4e5f6a1b2c3d4e5f6',
    DATA_DIR: options.dataDir,
    DOWNLOAD_ALLOWED_HOSTS: '127.0.0.1',
    DOWNLOAD_ALLOWED_PORTS: '*',
    DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true',
    ...(options.smtpUrl === undefined ? {} : { SMTP_URL: options.smtpUrl, SMTP_REQUIRE_TLS: 'false' }),
    ...options.extra,
  };
}

/** A data folder of its own for each process, as on separate hosts. */
export const processDataDir = (tmpDir: string, name: string) => join(tmpDir, 'data', name);
