import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import { jobBackoffCeiling } from '../jobs/job-backoff.js';
import { signWebhook } from './webhook-signature.js';

/**
 * POSTs one alert's JSON to the configured webhook, signed (webhook-signature.ts), retried with
 * capped exponential backoff on a network error or a non-2xx answer. The same webhook-id is sent
 * on every attempt, so a receiver that got a retry of something it handled can drop it. The
 * dispatcher is the guarded agent of the downloads: no private address unless allowed.
 */

export interface WebhookSenderOptions {
  url: URL;
  key: Buffer;
  dispatcher: Dispatcher;
  attempts: number;
  backoffMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  now?: () => Date;
}

export interface WebhookResult {
  ok: boolean;
  attempts: number;
  /** The last failure, safe to log (status code or error code, never the URL's query or the body). */
  error: string | null;
}

export function createWebhookSender(options: WebhookSenderOptions) {
  const now = options.now ?? (() => new Date());
  return {
    async send(payload: unknown, id = `msg_${randomUUID()}`): Promise<WebhookResult> {
      const body = JSON.stringify(payload);
      let error: string | null = null;
      for (let attempt = 1; attempt <= options.attempts; attempt += 1) {
        const headers = signWebhook(options.key, id, now().getTime() / 1000, body);
        try {
          const response = await request(options.url, {
            method: 'POST',
            dispatcher: options.dispatcher,
            headers: { 'content-type': 'application/json', ...headers },
            body,
            headersTimeout: options.timeoutMs,
            bodyTimeout: options.timeoutMs,
          });
          await response.body.dump();
          if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true, attempts: attempt, error: null };
          error = `HTTP ${response.statusCode}`;
        } catch (failure) {
          const code = (failure as { code?: unknown }).code; // as: undici errors carry a string code
          error = typeof code === 'string' ? code : 'request failed';
        }
        if (attempt < options.attempts) await delay(jobBackoffCeiling(attempt, options));
      }
      return { ok: false, attempts: options.attempts, error };
    },
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
