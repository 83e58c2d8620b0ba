import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { bucketsBetween, countBuckets } from './periods.js';
import type { ResolvedReport } from './report-options.js';
import { REPORT_COLUMNS, reportResources, reportRow } from './report-rows.js';
import type { Usage } from './usage.js';
import type { World } from './world.js';

/**
 * The report CSV, the contract the parser is written against: a header row, commas, RFC 4180
 * quoting, `\n` line ends, UTF-8 without BOM; the REPORT_COLUMNS in order, then (grouped by
 * organization only) one `tag:<key>` column per organization tag key, sorted. One row per
 * resource per whole UTC day or month overlapping [start, end], sorted by period then
 * resourceId. Booleans are `true`/`false`; sizes are MiB with at most 3 decimals.
 */

const ROWS_PER_CHUNK = 200;
const STRINGIFY_OPTIONS = {
  record_delimiter: '\n',
  cast: { boolean: (value: boolean) => (value ? 'true' : 'false') },
} as const;

export function reportHeader(world: World, report: ResolvedReport): string[] {
  const tags = report.resourceGroupBy === 'organization' ? world.tagKeys.map((key) => `tag:${key}`) : [];
  return [...REPORT_COLUMNS, ...tags];
}

export function reportRowCount(world: World, report: ResolvedReport): number {
  const resources = reportResources(world, report.resourceGroupBy, report.includeSandbox).length;
  return resources * countBuckets(Date.parse(report.start), Date.parse(report.end), report.dateGroupBy);
}

/** Yields the CSV in chunks of a few hundred rows, so a large report is never one string. */
export function* reportCsvChunks(world: World, usage: Usage, report: ResolvedReport): Generator<string> {
  const withTags = report.resourceGroupBy === 'organization';
  const resources = reportResources(world, report.resourceGroupBy, report.includeSandbox);
  yield stringify([reportHeader(world, report)], STRINGIFY_OPTIONS);
  let batch: unknown[][] = [];
  for (const period of bucketsBetween(Date.parse(report.start), Date.parse(report.end), report.dateGroupBy)) {
    for (const resource of resources) {
      const row = reportRow(usage, resource, period);
      const values: unknown[] = REPORT_COLUMNS.map((column) => row[column]);
      if (withTags) for (const key of world.tagKeys) values.push(resource.tags[key] ?? '');
      batch.push(values);
      if (batch.length >= ROWS_PER_CHUNK) {
        yield stringify(batch, STRINGIFY_OPTIONS);
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield stringify(batch, STRINGIFY_OPTIONS);
}

/** A byte stream whose chunks read as UTF-8 strings (so it is also an AsyncIterable<string>). */
export function reportCsvStream(world: World, usage: Usage, report: ResolvedReport): Readable {
  return Readable.from(reportCsvChunks(world, usage, report), { objectMode: false, encoding: 'utf8' });
}

export function reportCsvString(world: World, usage: Usage, report: ResolvedReport): string {
  return [...reportCsvChunks(world, usage, report)].join('');
}
