/**
 * An alert: one organization's metric in one period crossed its warning threshold, its limit, or
 * is projected to end the month over it. Built from the report's insights (from-insights.ts),
 * sent once per organization, metric and period (alert-once.ts).
 */
export type AlertKind = 'warning' | 'over' | 'projected-over';

export interface Alert {
  organizationId: string;
  organizationName: string;
  metric: string;
  period: { start: string; end: string };
  kind: AlertKind;
  /** Used so far (for projected-over: the month's projection is in `projected`). */
  used: number;
  limit: number | null;
  percent: number | null;
  projected: number | null;
}

/** How serious a kind is: a later, more serious alert for the same organization, metric and period is sent. */
export const ALERT_RANK: Record<AlertKind, number> = { warning: 1, 'projected-over': 2, over: 3 };

export interface AlertOutcome {
  alert: Alert;
  /** sent: delivered on every configured channel; skipped: already sent (or a more serious one); failed: see error. */
  result: 'sent' | 'skipped' | 'failed';
  webhookAttempts: number;
  emailed: boolean;
  error: string | null;
}
