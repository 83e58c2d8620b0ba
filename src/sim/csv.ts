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

/** Data rows `from` (included) to `to` (excluded), 0-based, header not counted: one part of a report. */
export interface RowRange {
  from: number;
  to: number;
}

/** Splits `rows` data rows into `parts` consecutive ranges as even as can be (an empty range when parts exceed rows). */
export function splitRows(rows: number, parts: number): RowRange[] {
  return Array.from({ length: parts }, (_, index) => ({ from: Math.floor((index * rows) / parts), to: Math.floor(((index + 1) * rows) / parts) }));
}

/**
 * Yields the CSV in chunks of a few hundred rows, so a large report is never one string. With
 * `range`, the header and only those rows: one of the files of a report delivered in parts.
 */
export function* reportCsvChunks(world: World, usage: Usage, report: ResolvedReport, range?: RowRange): Generator<string> {
  const withTags = report.resourceGroupBy === 'organization';
  const resources = reportResources(world, report.resourceGroupBy, report.includeSandbox);
  const from = range?.from ?? 0;
  const to = range?.to ?? Number.POSITIVE_INFINITY;
  yield stringify([reportHeader(world, report)], STRINGIFY_OPTIONS);
  let batch: unknown[][] = [];
  let index = -1;
  for (const period of bucketsBetween(Date.parse(report.start), Date.parse(report.end), report.dateGroupBy)) {
    for (const resource of resources) {
      index += 1;
      if (index < from) continue;
      if (index >= to) break;
      const row = reportRow(usage, resource, period);
      const values: unknown[] = REPORT_COLUMNS.map((column) => row[column]);
      if (withTags) for (const key of world.tagKeys) values.push(resource.tags[key] ?? '');
      batch.push(values);
      if (batch.length >= ROWS_PER_CHUNK) {
        yield stringify(batch, STRINGIFY_OPTIONS);
        batch = [];
      }
    }
    if (index >= to) break;
  }
  if (batch.length > 0) yield stringify(batch, STRINGIFY_OPTIONS);
}

/** A byte stream whose chunks read as UTF-8 strings (so it is also an AsyncIterable<string>). */
export function reportCsvStream(world: World, usage: Usage, report: ResolvedReport, range?: RowRange): Readable {
  return Readable.from(reportCsvChunks(world, usage, report, range), { objectMode: false, encoding: 'utf8' });
}

export function reportCsvString(world: World, usage: Usage, report: ResolvedReport): string {
  return [...reportCsvChunks(world, usage, report)].join('');
}
