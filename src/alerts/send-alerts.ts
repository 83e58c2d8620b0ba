import { createHash } from 'node:crypto';
import type { Mailer } from '../delivery/mailer.js';
import type { Logger } from '../log.js';
import type { AlertOnce } from './alert-once.js';
import type { Alert, AlertOutcome } from './types.js';
import type { WebhookSender } from './webhook-sender.js';

/** Where alerts go: a signed webhook, email recipients, or both (ALERT_WEBHOOK_URL, ALERT_EMAIL_RECIPIENTS). */
export interface AlertChannels {
  webhook: WebhookSender | null;
  email: { mailer: Mailer; from: string; to: string[] } | null;
}

export interface SendAlertsContext {
  once: AlertOnce;
  channels: AlertChannels;
  reportId: string;
  instanceId: string;
  logger: Logger;
}

/** Stable per organization, metric, period and kind: the webhook-id and the email's Message-ID repeat on a retry. */
function alertId(alert: Alert): string {
  return createHash('sha256')
    .update(JSON.stringify([alert.organizationId, alert.metric, alert.period.start, alert.kind]))
    .digest('hex')
    .slice(0, 32);
}

export function alertPayload(alert: Alert, context: { reportId: string; instanceId: string }) {
  return { type: `usage.${alert.kind}`, instanceId: context.instanceId, reportId: context.reportId, alert };
}

function describe(alert: Alert): string {
  const figure = alert.kind === 'projected-over' ? `projected ${alert.projected ?? '?'}` : `used ${alert.used}`;
  const what = alert.kind === 'warning' ? 'is near its limit' : alert.kind === 'over' ? 'is over its limit' : 'is projected over its limit';
  return `${alert.organizationName} (${alert.organizationId}): ${alert.metric} ${what} for ${alert.period.start.slice(0, 10)} to ${alert.period.end.slice(0, 10)}: ${figure} of ${alert.limit ?? 'no limit'}${alert.percent === null ? '' : ` (${Math.round(alert.percent)} %)`}`;
}

/** Sends each alert not sent before (see alert-once.ts) on every configured channel; never throws for one alert's failure. */
export async function sendAlerts(alerts: readonly Alert[], context: SendAlertsContext): Promise<AlertOutcome[]> {
  const { channels } = context;
  if (channels.webhook === null && channels.email === null) return [];
  const outcomes: AlertOutcome[] = [];
  for (const alert of alerts) {
    if (!(await context.once.claim(alert, context.reportId))) {
      outcomes.push({ alert, result: 'skipped', webhookAttempts: 0, emailed: false, error: null });
      continue;
    }
    const id = alertId(alert);
    let error: string | null = null;
    let webhookAttempts = 0;
    let emailed = false;
    if (channels.webhook) {
      const result = await channels.webhook.send(alertPayload(alert, context), `alert_${id}`);
      webhookAttempts = result.attempts;
      if (!result.ok) error = `webhook: ${result.error ?? 'failed'}`;
    }
    if (channels.email) {
      try {
        const text = describe(alert);
        await channels.email.mailer.send(
          {
            from: channels.email.from,
            to: channels.email.to,
            subject: `Losant usage alert: ${text}`.slice(0, 200),
            text: `${text}\n\nReport ${context.reportId} on instance ${context.instanceId}.\n`,
            html: '',
            messageId: `<alert-${id}@report-relay>`,
            attachments: [],
            headers: { 'X-Report-Id': context.reportId },
          },
          undefined,
          context.logger,
        );
        emailed = true;
      } catch (failure) {
        context.logger.error({ err: failure }, 'alert email not sent');
        error = error === null ? 'email failed' : `${error}; email failed`;
      }
    }
    if (error === null) {
      await context.once.markSent(alert, context.reportId);
    } else {
      // A delivery that failed gives the alert back: the next run of this report or the next report tries again.
      await context.once.release(alert, context.reportId);
      context.logger.warn({ organization: alert.organizationId, metric: alert.metric, kind: alert.kind, error }, 'alert not delivered');
    }
    outcomes.push({ alert, result: error === null ? 'sent' : 'failed', webhookAttempts, emailed, error });
  }
  return outcomes;
}

/** One line for the report's history. */
export function outcomeNote(outcome: AlertOutcome): string {
  const { alert } = outcome;
  const what = `alert ${alert.kind} for ${alert.organizationId} ${alert.metric} ${alert.period.start.slice(0, 10)}`;
  if (outcome.result === 'skipped') return `${what}: already sent`;
  const channels = [outcome.webhookAttempts > 0 ? `webhook after ${outcome.webhookAttempts} attempt(s)` : null, outcome.emailed ? 'email' : null]
    .filter(Boolean)
    .join(', ');
  return outcome.result === 'sent' ? `${what}: sent (${channels})` : `${what}: failed (${outcome.error ?? 'unknown'})`;
}
