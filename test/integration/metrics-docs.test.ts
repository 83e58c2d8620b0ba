import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { exposedNames, scrapeMetrics, type Scrape } from '../helpers/prometheus.js';
import { startService, type RunningService } from '../helpers/service.js';

/**
 * docs/prometheus-alerts.yml and docs/grafana-dashboard.json are what an operator loads as they
 * are: the rules file must parse and have Prometheus's shape, the dashboard must be JSON with a
 * query in each panel, and every metric either of them names must be one a real scrape declares.
 */

const ALERTS_FILE = new URL('../../docs/prometheus-alerts.yml', import.meta.url);
const DASHBOARD_FILE = new URL('../../docs/grafana-dashboard.json', import.meta.url);
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
/** The service's own metrics and prom-client's default ones; `up` is Prometheus's own. */
const METRIC_NAME = /\b(?:report_relay|process|nodejs)_[a-z0-9_]+\b/gu;

interface Rule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: { severity?: unknown };
  annotations?: { summary?: unknown; description?: unknown };
}

function alertRules(): Rule[] {
  // as: parsed YAML; every field is checked below before use.
  const document = parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups?: Array<{ name?: unknown; rules?: Rule[] }> };
  assert.ok(Array.isArray(document.groups) && document.groups.length > 0, 'groups');
  return document.groups.flatMap((group) => {
    assert.equal(typeof group.name, 'string');
    assert.ok(Array.isArray(group.rules) && group.rules.length > 0, 'rules');
    return group.rules;
  });
}

interface Panel {
  id?: unknown;
  title?: unknown;
  targets?: Array<{ expr?: unknown; refId?: unknown }>;
}

function dashboardPanels(): Panel[] {
  // as: parsed JSON; every field is checked below before use.
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { title?: unknown; uid?: unknown; panels?: Panel[] };
  assert.equal(dashboard.uid, 'report-relay');
  assert.ok(Array.isArray(dashboard.panels) && dashboard.panels.length > 0);
  return dashboard.panels;
}

const namesIn = (text: string): string[] => [...text.matchAll(METRIC_NAME)].map(([name]) => name);

describe('the alert rules and the dashboard', () => {
  let service: RunningService;
  let scrape: Scrape;
  before(async () => {
    service = await startService({ name: 'metrics-docs', env: { METRICS_TOKEN } });
    scrape = await scrapeMetrics(`${service.url}/metrics`, METRICS_TOKEN);
  });
  after(() => service.stop());

  test('the alert rules parse as YAML with the shape Prometheus loads, and cover what to alert on', () => {
    const rules = alertRules();
    const names = rules.map((rule) => rule.alert);
    assert.equal(new Set(names).size, names.length, 'alert names are unique');
    for (const rule of rules) {
      assert.match(String(rule.alert), /^ReportRelay[A-Za-z]+$/u);
      assert.ok(typeof rule.expr === 'string' && rule.expr.trim() !== '', `${String(rule.alert)}: expr`);
      assert.match(String(rule.for), /^\d+[smh]$/u, `${String(rule.alert)}: for`);
      assert.ok(rule.labels?.severity === 'critical' || rule.labels?.severity === 'warning', `${String(rule.alert)}: severity`);
      assert.ok(typeof rule.annotations?.summary === 'string' && typeof rule.annotations.description === 'string', `${String(rule.alert)}: annotations`);
    }
    const exprs = rules.map((rule) => String(rule.expr)).join('\n');
    for (const [what, pattern] of [
      ['failed reports', /to=~"failed/u],
      ['callbacks refused', /report_relay_callbacks_total\{outcome=~"unavailable/u],
      ['queue backlog', /report_relay_queue_jobs\{state="waiting"\}/u],
      ['jobs stuck active', /report_relay_queue_jobs\{state="active"\}/u],
      ['overdue reports', /to="overdue"/u],
      ['missed schedule runs', /report_relay_schedule_missed_runs_total/u],
      ['email failures', /report_relay_email_failures_total/u],
      ['Redis errors', /report_relay_redis_errors_total/u],
      ['a process down', /\bup\{/u],
    ] as const) {
      assert.match(exprs, pattern, what);
    }
  });

  test('the dashboard is JSON whose every panel has a query', () => {
    const panels = dashboardPanels();
    assert.equal(new Set(panels.map((panel) => panel.id)).size, panels.length, 'panel ids are unique');
    for (const panel of panels) {
      assert.equal(typeof panel.title, 'string');
      assert.ok(Array.isArray(panel.targets) && panel.targets.length > 0, String(panel.title));
      for (const target of panel.targets) assert.ok(typeof target.expr === 'string' && target.expr !== '', String(panel.title));
    }
  });

  test('every metric the two files name is one a real scrape declares', () => {
    const exposed = exposedNames(scrape);
    const alertNames = namesIn(
      alertRules()
        .map((rule) => String(rule.expr))
        .join('\n'),
    );
    const dashboardNames = namesIn(
      dashboardPanels()
        .flatMap((panel) => panel.targets ?? [])
        .map((target) => String(target.expr))
        .join('\n'),
    );
    assert.ok(alertNames.length > 0 && dashboardNames.length > 0);
    const unknown = [...new Set([...alertNames, ...dashboardNames])].filter((name) => !exposed.has(name));
    assert.deepEqual(unknown, [], `named but not exposed: ${unknown.join(', ')}`);
  });
});
