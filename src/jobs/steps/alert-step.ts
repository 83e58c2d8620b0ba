import { alertsFromInsights } from '../../alerts/from-insights.js';
import { outcomeNote, sendAlerts } from '../../alerts/send-alerts.js';
import type { ReportRecord } from '../../reports/record.js';
import { RunTakenOverError } from '../../reports/store.js';
import type { StepDeps } from '../step-deps.js';

/**
 * Sends the alerts the report's insights call for (see src/alerts) and notes each outcome in the
 * report's history. Alerts never fail a report: a delivery that failed is noted and left for the
 * next run or report ("once" is only marked on success).
 */
export async function alertStep(deps: StepDeps, record: ReportRecord): Promise<void> {
  const alerts = deps.alerts;
  const insights = record.summary?.insights;
  if (!alerts || !insights) return;
  const found = alertsFromInsights(insights, alerts.kinds);
  if (found.length === 0) return;
  try {
    const outcomes = await sendAlerts(found, {
      once: alerts.once,
      channels: alerts.channels,
      reportId: record.id,
      instanceId: deps.instanceId,
      logger: deps.logger,
    });
    for (const outcome of outcomes) await deps.store.addNote(record.id, outcomeNote(outcome));
  } catch (error) {
    if (error instanceof RunTakenOverError) throw error;
    deps.logger.error({ err: error }, 'alerts not sent');
  }
}
