import type { Readable } from 'node:stream';
import { parseStream } from './adapters.js';
import type { ParserName } from './adapters.js';

/** The figures generateReportCsv returns, recomputed from a parser's output. */
export interface ReportAggregate {
  rows: number;
  payloadBillableSum: number;
  resourceNameChars: number;
}

/**
 * A trivial aggregation over every row so no parser can skip work; the name length catches
 * corrupted multi-byte characters that a numeric sum would not.
 */
export async function aggregateReport(parser: ParserName, input: Readable): Promise<ReportAggregate> {
  const result: ReportAggregate = { rows: 0, payloadBillableSum: 0, resourceNameChars: 0 };
  await parseStream(parser, input, (record) => {
    result.rows++;
    result.payloadBillableSum += Number(record.payloadBillableCount);
    const name = record.resourceName;
    result.resourceNameChars += typeof name === 'string' ? name.length : 0;
  });
  return result;
}

/** Differences between what a parser found and what the generator wrote; empty when they agree. */
export function aggregateMismatches(actual: ReportAggregate, expected: ReportAggregate): string[] {
  const keys = ['rows', 'payloadBillableSum', 'resourceNameChars'] as const;
  return keys.filter((key) => actual[key] !== expected[key]).map((key) => `${key} ${actual[key]} ≠ ${expected[key]}`);
}
