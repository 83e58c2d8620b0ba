import { createReadStream } from 'node:fs';
import type { RowTally } from '../../csv/summarize-stream.js';
import { comparedMonths, topMovers } from '../../insights/movers.js';
import type { Movers, ReportInsights } from '../../insights/types.js';
import type { ReportRecord } from '../../reports/record.js';
import type { ReportSummary, ResourceFigures } from '../../summary/types.js';
import type { StepDeps } from '../step-deps.js';
import { fileSize, workPaths } from '../work-files.js';
import { archiveKey } from './archive-step.js';
import { metered, meterFor } from './step-progress.js';

/**
 * Parses the CSV as a stream into a summary, compares it with the previous report of the same
 * series, and (when archiving) stores the summary beside the CSV.
 */
export async function summaryStep(deps: StepDeps, record: ReportRecord, signal?: AbortSignal): Promise<void> {
  if (record.summary) return;
  const paths = workPaths(deps.workDir, record.id);
  // A report to be emailed gets its attachment from this same parse (emailStep then finds it),
  // and its gzip copy too when the CSV is above the size at which emails carry it compressed: the
  // neutralized copy is about as large as the CSV, and compressing it during the parse runs beside
  // the parse (on zlib's threads) instead of after it.
  const willEmail = record.delivery.email && record.delivery.recipients.length > 0 && !record.email;
  const gzipToo = willEmail && ((await fileSize(paths.csv)) ?? 0) > deps.mail.gzipAboveBytes;
  const attachment = willEmail ? { plain: paths.attachment, ...(gzipToo ? { gzip: paths.attachmentGz } : {}) } : undefined;
  // The signal reaches the parse itself: a shutdown that cannot wait stops a long parse at once.
  const csv = createReadStream(paths.csv, signal ? { signal } : {});
  // The parse counts its rows into the tally; the meter reads it only when it writes.
  const tally: RowTally = { rows: 0 };
  const meter = meterFor(deps, record.id, 'parse', (await fileSize(paths.csv)) ?? null, () => tally.rows);
  const parsed = await deps.summarize(meter ? metered(csv, meter) : csv, attachment, tally);
  await meter?.flush();
  const { resources } = parsed;
  const summary = { ...parsed.summary, insights: await insightsOf(deps, record, parsed.summary, resources) };
  // Before the summary is recorded: a run that stops in between writes the same points again (they
  // are the report's own, replaced), while one recorded first would skip them for good.
  await deps.usage.resources.recordReport(record, summary, resources);
  const movers = await organizationMonths(deps, record, summary, resources);
  // The movers join the insights (they are shown with them); without insights there is nowhere to show them.
  if (summary.insights) summary.insights = { ...summary.insights, movers };
  const previous = await deps.store.latestInSeries(record.seriesKey);
  const comparison = previous && previous.reportId !== record.id ? deps.compare(previous, summary) : null;

  let archive = record.archive;
  if (record.delivery.archive && archive) {
    const stored = await deps.archive.putBuffer(
      archiveKey(record, 'summary.json'),
      JSON.stringify({ reportId: record.id, summary, comparison }, null, 2),
      signal,
    );
    archive = { ...archive, summary: stored };
  }
  await deps.store.markSummarized(
    record.id,
    { summary, comparison, ...(archive ? { archive } : {}) },
    `parsed ${summary.rows} rows (${summary.badRowCount} bad) over ${summary.resourceCount} resources` +
      (summary.resourcesCapped > 0 ? ` (${summary.resourcesCapped} rows past the resource cap counted in the totals only)` : ''),
  );
}

/**
 * Writes the report's organizations into their month (a report grouped by organization within one
 * UTC month), then reads the month-over-month movers across organizations for the insights. Both
 * are derived data: a failure is logged, the movers are left out (null) and the report goes on.
 */
async function organizationMonths(deps: StepDeps, record: ReportRecord, summary: ReportSummary, resources: ResourceFigures): Promise<Movers | null> {
  try {
    await deps.usage.organizations.recordReport(record, summary, resources);
    const now = deps.now();
    const { latestMonth, previousMonth } = comparedMonths(now);
    return topMovers(await deps.usage.organizations.allTrends({ months: [previousMonth, latestMonth] }), { now });
  } catch (error) {
    deps.logger.warn({ err: error }, 'monthly organization points or movers not available for this report');
    return null;
  }
}

/**
 * The report's insights, computed after the parse and stored with the summary. Insights are
 * optional: whatever goes wrong in them is recorded as unavailable and the report goes on.
 */
async function insightsOf(deps: StepDeps, record: ReportRecord, summary: ReportSummary, resources: ResourceFigures): Promise<ReportInsights | null> {
  if (!deps.insights) return null;
  try {
    const insights = await deps.insights({ summary, resources, includeSandbox: record.request.includeSandbox === true });
    deps.logger.info(
      {
        losantCalls: insights.losantCalls.count,
        losantMs: insights.losantCalls.elapsedMs,
        findings: insights.limits.length,
        projections: insights.projections.length,
        unavailable: insights.unavailable.map((entry) => entry.part),
      },
      'insights computed',
    );
    return insights;
  } catch (error) {
    deps.logger.error({ err: error }, 'insights failed; the report goes on without them');
    const reason = `insights failed: ${error instanceof Error ? error.message : String(error)}`;
    return {
      computedAt: deps.now().toISOString(),
      warningPercent: 0,
      limits: [],
      projections: [],
      reconciliation: null,
      unavailable: (['limits', 'projection', 'reconciliation'] as const).map((part) => ({ part, reason })),
      losantCalls: { count: 0, elapsedMs: 0 },
    };
  }
}
