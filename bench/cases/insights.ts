import { performance } from 'node:perf_hooks';
import type { BenchCase } from '../lib/case.js';
import { checkBelow } from '../lib/checks.js';
import { measureInterleaved } from '../lib/measure.js';
import { summarizeReportCsv } from '../../src/csv/summarize-stream.js';
import { computeInsights } from '../../src/insights/compute.js';
import { startSimulator } from '../../src/sim/index.js';
import type { ResourceFigures } from '../../src/summary/types.js';
import { createInstanceFacts } from '../../src/wiring/instance-facts.js';
import { createLogger } from '../../src/log.js';

/**
 * Question: what do a report's insights cost in time? The Losant reads they make (instance get,
 * historicalSummaries, the three day counts and payloadCounts, side by side) against the simulator
 * on loopback, for a month-to-date daily report by organization; the baseline computes the same
 * insights without Losant (projections only). The difference is the Losant calls' cost per report.
 */

const insightsCase: BenchCase = {
  description: 'Insights per report: the extra Losant reads (instance, historicalSummaries, counts) against the simulator, and the insights without them',
  defaults: { runs: 20, warmup: 3 },
  options: ['--organizations N  organizations in the simulated instance (default 50)', '--days N  days of the month the report covers (default 10)'],

  async run({ args, runs, warmup }) {
    const organizations = args.number('organizations', 50, { min: 1, integer: true });
    const days = Math.min(28, args.number('days', 10, { min: 1, integer: true }));
    const sim = await startSimulator({ organizations, reportDelayMs: 0 });
    try {
      const range = { start: '2026-11-01T00:00:00.000Z', end: new Date(Date.UTC(2026, 10, days, 23, 59, 59, 999)).toISOString() };
      const reportOptions = { ...range, resourceGroupBy: 'organization', dateGroupBy: 'day', includeSandbox: true } as const;
      let resources: ResourceFigures = { columns: [], resources: [], leftOut: 0 };
      const summary = await summarizeReportCsv(
        sim.buildReportCsv(reportOptions),
        { maxColumns: 1000, maxFieldBytes: 1 << 20 },
        { onResourceFigures: (figures) => (resources = figures) },
      );
      const logger = createLogger({ level: 'silent', name: 'bench' });
      const facts = createInstanceFacts({
        losant: { apiUrl: sim.url, apiToken: sim.token, timeoutMs: 15_000, maxRetries: 0 },
        instanceId: sim.instanceId,
        logger,
      });
      const options = { warningPercent: 80, tolerance: 0.01 };
      let calls = 0;
      const timed = (withLosant: boolean) => async () => {
        const started = performance.now();
        const insights = await computeInsights({ summary, resources, includeSandbox: true, facts: withLosant ? facts : null, now: new Date() }, options);
        if (withLosant && insights.unavailable.length > 0) throw new Error(`insights unavailable: ${JSON.stringify(insights.unavailable)}`);
        calls = Math.max(calls, insights.losantCalls.count);
        return { ms: performance.now() - started };
      };
      const measured = await measureInterleaved({ 'with Losant reads': timed(true), 'without Losant': timed(false) }, { runs, warmup });
      const withLosant = measured['with Losant reads'];
      const without = measured['without Losant'];
      if (!withLosant || !without) throw new Error('measurements missing');
      const cost = (withLosant.summary.ms?.median ?? Number.NaN) - (without.summary.ms?.median ?? Number.NaN);
      return {
        parameters: { organizations, days, rows: summary.rows, 'Losant calls per report': calls },
        measurements: [withLosant, without],
        comparisons: [],
        checks: [checkBelow('insights: Losant reads per report (median)', withLosant.summary.ms?.median ?? Number.NaN, 1_000, 'ms')],
        notes: [`The Losant reads add ${cost.toFixed(1)} ms per report (median with them minus median without), ${calls} calls side by side.`],
      };
    } finally {
      await sim.close();
    }
  },
};

export default insightsCase;
