import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signing as the Standard Webhooks specification describes: the secret is `whsec_` followed by
 * base64 key bytes; the signed content is `${id}.${timestamp}.${body}` (timestamp in whole
 * seconds); `webhook-signature` is `v1,` and the base64 HMAC-SHA256 of it. A receiver recomputes
 * it with its copy of the secret; several space-separated signatures may be sent during a key
 * rotation, which is why `verifyWebhookSignature` accepts any of them.
 */

const PREFIX = 'whsec_';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The key bytes of a `whsec_` secret; throws on anything else (checked once, when settings are read). */
export function webhookKey(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new Error('a webhook secret starts with whsec_');
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
  if (key.length < 16) throw new Error('a webhook secret holds at least 16 bytes of base64');
  return key;
}

export function signWebhook(key: Buffer, id: string, timestampSeconds: number, body: string): SignedHeaders {
  const timestamp = String(Math.floor(timestampSeconds));
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

/** True when one of the `v1,` signatures in `header` is the body's; compared in constant time. */
export function verifyWebhookSignature(key: Buffer, headers: SignedHeaders, body: string): boolean {
  const expected = Buffer.from(signWebhook(key, headers['webhook-id'], Number(headers['webhook-timestamp']), body)['webhook-signature'].slice(3), 'base64');
  return headers['webhook-signature'].split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || value === undefined) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
