/**
 * A decomposition of the intake bench (`--decompose`): the baseline's bare shape (Express 5 +
 * helmet, two handlers, no request id, no log line) doing the service's Redis work per callback
 * and nothing else: the record's secret hash and job read in one HMGET
 * (store.getCallbackMatch), the constant-time secret check, the callback's metadata, the atomic
 * accept script and the job added with the service's options. Its distance from the baseline is
 * what the state the service keeps costs; its distance from the service is what the rest
 * (request ids, the log line, the error mapping, the job-id check) costs.
 *   node --import tsx store-only-server.ts <port> <redis URL> <key prefix>
 */
import express from 'express';
import helmet from 'helmet';
import { loadConfig } from '../../src/config.js';
import { createReportQueue } from '../../src/jobs/queue.js';
import { createRedis } from '../../src/redis.js';
import { buildCallbackInfo } from '../../src/reports/receive-callback.js';
import { secretMatches } from '../../src/reports/secrets.js';
import { createReportStore } from '../../src/reports/store.js';
import { serveUntilSigterm } from './serve-until-sigterm.js';
import { benchRedisUrl } from '../lib/redis-url.js';

const [portText = '0', redisUrl = benchRedisUrl(), prefix = 'bench-store-only'] = process.argv.slice(2);
// The service's defaults for the record's retention and the job's options.
const { jobs, retention } = loadConfig('web', {
  PUBLIC_URL: 'http://127.0.0.1:3000',
  ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
  LOSANT_API_TOKEN: 'bench-losant-token',
  LOSANT_INSTANCE_ID: 'a1b2c3d4e5f6a1b2c3d4e5f6',
});
const redis = createRedis(redisUrl, 'commands');
const store = createReportStore(redis, { prefix, retentionDays: retention.reportDays, retentionSeconds: retention.reportSeconds });
const queue = createReportQueue(redis, { prefix, ...jobs });

const app = express();
app.disable('x-powered-by');
app.use(helmet());
app.get('/healthz', (_req, res) => {
  res.json({ ok: true });
});
app.post(
  '/callbacks/r/:id/:secret',
  async (req, res, next) => {
    const match = await store.getCallbackMatch(req.params.id);
    if (!secretMatches(req.params.secret, match?.secretHash)) {
      res.status(404).json({ error: 'not found' });
      return;
    }
    next();
  },
  express.raw({ type: () => true, limit: '25mb' }),
  async (req, res) => {
    const { id } = req.params;
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const info = buildCallbackInfo({ body, contentType: req.get('content-type') ?? null, headers: req.headers }, new Date());
    const outcome = await store.acceptCallback(id, { info, body });
    if (outcome.kind !== 'accepted') {
      res.status(409).json({ error: outcome.kind });
      return;
    }
    await queue.enqueue(id, 1);
    res.status(202).json({ received: true, reportId: id });
  },
);

serveUntilSigterm(app, Number(portText), () => queue.close().then(() => redis.quit()));
