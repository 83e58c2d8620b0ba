import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigFor } from '../../src/config.js';
import { REDIS_URL } from './redis.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** A complete, valid configuration for tests (role all: both sides' settings); `env` overrides any variable. */
export function testConfig(env: Record<string, string> = {}): Readonly<ConfigFor<'all'>> {
  return loadConfig('all', {
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1:3000',
    REDIS_URL,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOSANT_API_URL: 'http://127.0.0.1:9',
    LOSANT_API_TOKEN: 'test-losant-token',
    LOSANT_INSTANCE_ID: 'a1b2c3d4e5f6a1b2c3d4e5f6',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'report-relay-test-')),
    DOWNLOAD_ALLOWED_HOSTS: '127.0.0.1,localhost',
    DOWNLOAD_ALLOWED_PORTS: '*',
    DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true',
    JOB_BACKOFF_MS: '50',
    // Six attempts 50 ms apart and doubling: a test that exhausts them waits about 1.5 s, not hours.
    JOB_ATTEMPTS: '6',
    // The in-process SMTP test server is plain TCP (test/helpers/smtp.ts).
    SMTP_REQUIRE_TLS: 'false',
    ...env,
  });
}
