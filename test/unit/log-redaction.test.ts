import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { CONFIG_SECRET_PATHS, createLogger } from '../../src/log.js';
import { testConfig } from '../helpers/config.js';

const SECRETS = {
  REDIS_URL: 'redis://relay:redis-password-4f1c9a@127.0.0.1:6379/0',
  ADMIN_TOKEN: 'admin-token-secret-0123456789abcdef0123',
  LOSANT_API_TOKEN: 'losant-api-token-secret-9f8e7d6c5b4a',
  SMTP_URL: 'smtps://mailer:smtp-password-77aa11@smtp.example.com:465',
  METRICS_TOKEN: 'metrics-token-secret-5e4d3c2b1a0f',
  ARCHIVE_S3_ACCESS_KEY_ID: 'AKIAARCHIVEKEYID0001',
  ARCHIVE_S3_SECRET_ACCESS_KEY: 's3-secret-access-key-3c2b1a0f9e8d',
};

/** The real logger, writing into a buffer. */
function bufferedLogger() {
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), text: () => text };
}

void describe('log redaction', () => {
  void test('every secret setting of a real config is censored, however the config is logged', () => {
    const config = testConfig(SECRETS);
    const { logger, text } = bufferedLogger();
    logger.info({ config }, 'config under a key');
    logger.info(config, 'config as the log object');
    logger.info({ redis: config.redis, admin: config.web.admin, losant: config.web.losant, mail: config.worker.mail }, 'config sections');
    logger.info({ web: config.web, worker: config.worker }, 'the sides');
    logger.info({ settings: { redis: config.redis } }, 'a section one level down');
    logger.info({ archive: config.archive, s3: config.archive.s3 }, 'the archive section');

    const logged = text();
    for (const [name, value] of Object.entries(SECRETS)) assert.ok(!logged.includes(value), `${name} appears in the log`);
    assert.ok(!logged.includes('redis-password-4f1c9a'));
    assert.ok(!logged.includes('smtp-password-77aa11'));
    // The rest of the config is still logged.
    assert.ok(logged.includes(config.instanceId));
    assert.ok(logged.includes(config.web.losant.apiUrl));
    assert.ok(logged.includes('[redacted]'));
    assert.equal(logged.trim().split('\n').length, 6);
  });

  void test('the secret settings include the Redis URL, the tokens, the SMTP URL, the S3 archive credentials and the alert webhook', () => {
    assert.deepEqual([...CONFIG_SECRET_PATHS].sort(), [
      'archive.s3.accessKeyId',
      'archive.s3.secretAccessKey',
      'metricsToken',
      'redis.url',
      'web.admin.token',
      'web.losant.apiToken',
      'worker.alerts.webhook.secret',
      'worker.alerts.webhook.url',
      'worker.insights.losant.apiToken',
      'worker.mail.smtpUrl',
    ]);
  });
});
