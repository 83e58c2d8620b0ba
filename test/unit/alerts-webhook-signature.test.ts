import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { signWebhook, verifyWebhookSignature, webhookKey } from '../../src/alerts/webhook-signature.js';

const secret = `whsec_${randomBytes(24).toString('base64')}`;

test('the signature is v1 and the base64 HMAC-SHA256 of "id.timestamp.body" under the decoded secret', () => {
  const key = webhookKey(secret);
  const body = JSON.stringify({ type: 'usage.alert', data: { organization: 'org-1' } });
  const headers = signWebhook(key, 'msg_1', 1_700_000_000.9, body);
  // Computed apart from the module, as a receiver following the specification would.
  const raw = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', raw).update(`msg_1.1700000000.${body}`).digest('base64');
  assert.deepEqual(headers, { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': `v1,${expected}` });
  assert.equal(verifyWebhookSignature(key, headers, body), true);
  assert.equal(verifyWebhookSignature(key, headers, `${body} `), false);
  assert.equal(verifyWebhookSignature(key, { ...headers, 'webhook-signature': `v1,bad v1,${expected}` }, body), true);
  assert.equal(verifyWebhookSignature(webhookKey(`whsec_${randomBytes(24).toString('base64')}`), headers, body), false);
});

test('a secret without the whsec_ prefix or too short is refused', () => {
  assert.throws(() => webhookKey(randomBytes(24).toString('base64')));
  assert.throws(() => webhookKey('whsec_c2hvcnQ='));
});
