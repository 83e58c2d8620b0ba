/**
 * Baseline of the intake bench: what a hand-written receiver on the same libraries does at the
 * least. Express 5 + helmet, the raw body read, then one Redis GET (the report's secret), one
 * SET (the body) and one BullMQ queue.add per request, answered 202.
 *   node --import tsx baseline-server.ts <port> <redis URL> <key prefix>
 */
import express from 'express';
import helmet from 'helmet';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { serveUntilSigterm } from './serve-until-sigterm.js';
import { benchRedisUrl } from '../lib/redis-url.js';

const [portText = '0', redisUrl = benchRedisUrl(), prefix = 'bench-baseline'] = process.argv.slice(2);
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
const queue = new Queue('reports', { connection: redis, prefix });

const app = express();
app.disable('x-powered-by');
app.use(helmet());
app.get('/healthz', (_req, res) => {
  res.json({ ok: true });
});
app.post('/callbacks/r/:id/:secret', express.raw({ type: () => true, limit: '25mb' }), async (req, res) => {
  const { id, secret } = req.params;
  if ((await redis.get(`${prefix}:baseline:${id}`)) !== secret) {
    res.status(404).json({ error: 'not found' });
    return;
  }
  await redis.set(`${prefix}:baseline:${id}:body`, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
  await queue.add('process-report', { reportId: id }, { jobId: `report-${id}-run-1` });
  res.status(202).json({ received: true, reportId: id });
});

serveUntilSigterm(app, Number(portText), () => queue.close().then(() => redis.quit()));
