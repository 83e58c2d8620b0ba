import type { RedisClient } from '../redis-client.js';
import type { RedisKeys } from '../redis-keys.js';
import { ALERT_RANK, type Alert } from './types.js';

/**
 * "Once per organization, metric and period", kept in Redis so every worker sees it. A hash per
 * alert key holds the rank of the most serious kind sent (`sent`) and the report that holds the
 * right to send now (`claim`, with its rank). A report may send when nothing as serious was sent
 * and no other report holds a claim; the same report may take its claim again (a retried job).
 * Claims expire (CLAIM_TTL_MS) so a crashed worker does not block the alert forever; sent marks
 * are kept for KEEP_MS (longer than any period the reports cover).
 */

const CLAIM_TTL_MS = 15 * 60_000;
const KEEP_MS = 400 * 86_400_000;

// KEYS[1]: the alert's hash. ARGV: report id, rank, now (ms), claim ttl (ms).
const CLAIM = `
local sent = tonumber(redis.call('HGET', KEYS[1], 'sent') or '0')
if sent >= tonumber(ARGV[2]) then return 0 end
local holder = redis.call('HGET', KEYS[1], 'claim')
local expires = tonumber(redis.call('HGET', KEYS[1], 'claimExpires') or '0')
if holder and holder ~= ARGV[1] and expires > tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'claim', ARGV[1], 'claimExpires', tonumber(ARGV[3]) + tonumber(ARGV[4]))
return 1
`;

// KEYS[1]: the alert's hash. ARGV: report id, rank, keep (ms).
const MARK_SENT = `
if redis.call('HGET', KEYS[1], 'claim') == ARGV[1] then redis.call('HDEL', KEYS[1], 'claim', 'claimExpires') end
local sent = tonumber(redis.call('HGET', KEYS[1], 'sent') or '0')
if tonumber(ARGV[2]) > sent then redis.call('HSET', KEYS[1], 'sent', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

// KEYS[1]: the alert's hash. ARGV: report id.
const RELEASE = `
if redis.call('HGET', KEYS[1], 'claim') == ARGV[1] then redis.call('HDEL', KEYS[1], 'claim', 'claimExpires') end
return 1
`;

export interface AlertOnce {
  /** True when this report may send the alert now. */
  claim(alert: Alert, reportId: string): Promise<boolean>;
  markSent(alert: Alert, reportId: string): Promise<void>;
  /** After a failed delivery: a later run or report may try again. */
  release(alert: Alert, reportId: string): Promise<void>;
}

export function createAlertOnce(redis: RedisClient, keys: RedisKeys, now: () => number = Date.now): AlertOnce {
  const keyOf = (alert: Alert) => keys.alertOnce(alert.organizationId, alert.metric, alert.period.start);
  return {
    async claim(alert, reportId) {
      const answer = await redis.eval(CLAIM, 1, keyOf(alert), reportId, ALERT_RANK[alert.kind], now(), CLAIM_TTL_MS);
      return answer === 1;
    },
    async markSent(alert, reportId) {
      await redis.eval(MARK_SENT, 1, keyOf(alert), reportId, ALERT_RANK[alert.kind], KEEP_MS);
    },
    async release(alert, reportId) {
      await redis.eval(RELEASE, 1, keyOf(alert), reportId);
    },
  };
}
