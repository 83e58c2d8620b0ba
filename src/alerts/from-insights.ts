import type { ReportInsights } from '../insights/types.js';
import type { Alert, AlertKind } from './types.js';

/**
 * The alerts a report's insights call for: organization findings at warning or over their limit,
 * and month-end projections over it. `kinds` are those the settings turn on (ALERT_KINDS).
 */
export function alertsFromInsights(insights: ReportInsights, kinds: ReadonlySet<AlertKind>): Alert[] {
  const alerts: Alert[] = [];
  for (const finding of insights.limits) {
    if (finding.scope !== 'organization') continue;
    const kind: AlertKind | null = finding.level === 'over' ? 'over' : finding.level === 'warning' ? 'warning' : null;
    if (kind === null || !kinds.has(kind)) continue;
    alerts.push({
      organizationId: finding.id,
      organizationName: finding.name,
      metric: finding.metric,
      period: finding.period,
      kind,
      used: finding.used,
      limit: finding.limit,
      percent: finding.percent,
      projected: null,
    });
  }
  if (kinds.has('projected-over')) {
    for (const projection of insights.projections) {
      if (projection.level !== 'over') continue;
      alerts.push({
        organizationId: projection.id,
        organizationName: projection.name,
        metric: projection.metric,
        period: projection.month,
        kind: 'projected-over',
        used: projection.usedSoFar,
        limit: projection.limit,
        percent: projection.projectedPercent,
        projected: projection.projected,
      });
    }
  }
  return alerts;
}
