import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase, Table } from '../lib/case.js';
import { runChild } from '../lib/child.js';
import { generateReportCsv, REPORT_COLUMNS } from '../lib/generate-report-csv.js';
import type { GeneratedReport } from '../lib/generate-report-csv.js';
import { compare, measureInterleaved } from '../lib/measure.js';
import type { Metrics } from '../lib/measure.js';
import { formatNumber } from '../lib/report.js';
import { PARSER_NAMES } from '../parsers/adapters.js';
import type { ParserName } from '../parsers/adapters.js';
import { aggregateMismatches, aggregateReport } from '../parsers/aggregate.js';
import { checkCase, loadSpectrumCases, ownEdgeCases } from '../parsers/correctness.js';
import { decideParser } from '../parsers/decision.js';
import type { ParseFileResult } from '../parsers/parse-file.js';

/**
 * Target: csv-parse is the given choice; keep it unless another maintained streaming parser is at
 * least twice as fast on the same file and equally correct.
 */

const INCUMBENT: ParserName = 'csv-parse';
const parseFileScript = fileURLToPath(new URL('../parsers/parse-file.ts', import.meta.url));
const mark = (pass: boolean, detail?: string) => (pass ? 'pass' : `FAIL${detail === undefined ? '' : `: ${detail.slice(0, 70)}`}`);

function describeFile(report: GeneratedReport): string {
  return `${formatNumber(report.bytes / 1e6)} MB, ${report.rows.toLocaleString('en-US')} rows`;
}

const parserCase: BenchCase = {
  description: 'CSV parser choice: csv-parse against papaparse and @fast-csv/parse on a generated usage report, plus a correctness corpus',
  defaults: { runs: 5, warmup: 1 },
  // csv-parse was chosen (bench/README.md, case parser); re-run this only to re-check that choice.
  optIn: true,
  options: ['--mb N        size of the generated usage report (default 50)', '--crlf-mb N   size of the CRLF file checked for correctness only (default 5)'],

  async run({ args, runs, warmup, tmpDir, log }) {
    const mb = args.number('mb', 50, { min: 0.01 });
    const crlfMb = args.number('crlf-mb', 5, { min: 0.01 });

    const report = await generateReportCsv({ path: join(tmpDir, 'usage-report.csv'), targetBytes: mb * 1e6 });
    const crlfReport = await generateReportCsv({ path: join(tmpDir, 'usage-report-crlf.csv'), targetBytes: crlfMb * 1e6, lineEnding: '\r\n', seed: 2 });
    log(`generated ${describeFile(report)} (LF) and ${describeFile(crlfReport)} (CRLF)`);

    // Correctness: the corpus, then the CRLF report streamed from disk in 64 KiB chunks.
    const cases = [...(await loadSpectrumCases()), ...ownEdgeCases()];
    const failed = new Map<ParserName, string[]>(PARSER_NAMES.map((p) => [p, []]));
    const record = (parser: ParserName, caseName: string, pass: boolean) => {
      if (!pass) failed.get(parser)!.push(caseName);
    };
    const correctnessRows: string[][] = [];
    for (const testCase of cases) {
      const row = [testCase.name];
      for (const parser of PARSER_NAMES) {
        const result = await checkCase(parser, testCase);
        record(parser, testCase.name, result.pass);
        row.push(mark(result.pass, result.detail));
      }
      correctnessRows.push(row);
    }
    const crlfRow = [`own: generated report, ${describeFile(crlfReport)}, CRLF, read from disk`];
    const crlfCase = crlfRow[0]!;
    for (const parser of PARSER_NAMES) {
      const mismatches = aggregateMismatches(await aggregateReport(parser, createReadStream(crlfReport.path)), crlfReport);
      record(parser, crlfCase, mismatches.length === 0);
      crlfRow.push(mark(mismatches.length === 0, mismatches.join(', ')));
    }
    correctnessRows.push(crlfRow);

    // Throughput: each parser in its own process, interleaved, checked against the generator on every run.
    const wrongRuns = new Map<string, string[]>();
    const subject = (parser: ParserName | 'read-only') => async (): Promise<Metrics> => {
      const child = await runChild<ParseFileResult>(parseFileScript, [parser, report.path]);
      const r = child.json;
      if (parser !== 'read-only') {
        const mismatches = aggregateMismatches(r, report);
        if (mismatches.length > 0) wrongRuns.set(parser, mismatches);
      }
      const seconds = r.parseMs / 1000;
      return { 'MB/s': r.bytes / 1e6 / seconds, 'rows/s': r.rows / seconds, parseMs: r.parseMs, wallMs: child.wallMs, peakRssMB: child.maxRssMb };
    };
    const subjects = Object.fromEntries([...PARSER_NAMES, 'read-only' as const].map((name) => [name, subject(name)]));
    const measured = await measureInterleaved(subjects, {
      runs,
      warmup,
      onRun: (name, run, m) => log(`run ${run} ${name.padEnd(15)} ${formatNumber(m['MB/s']!)} MB/s, peak RSS ${formatNumber(m.peakRssMB!)} MB`),
    });
    const bigRow = [`own: generated report, ${describeFile(report)}, LF, read from disk (every bench run)`];
    const bigCase = bigRow[0]!;
    for (const parser of PARSER_NAMES) {
      const mismatches = wrongRuns.get(parser) ?? [];
      record(parser, bigCase, mismatches.length === 0);
      bigRow.push(mark(mismatches.length === 0, mismatches.join(', ')));
    }
    correctnessRows.push(bigRow);
    const total = correctnessRows.length;
    correctnessRows.push(['passed', ...PARSER_NAMES.map((p) => `${total - failed.get(p)!.length}/${total}`)]);

    const alternatives = PARSER_NAMES.filter((p) => p !== INCUMBENT);
    const comparisons = alternatives.map((p) =>
      compare(measured[p]!, measured[INCUMBENT]!, 'MB/s', { atLeast: 2 }, 'fast enough to replace csv-parse (if also equally correct)'),
    );
    const decision = decideParser({
      incumbent: INCUMBENT,
      standings: PARSER_NAMES.map((p) => ({ name: p, mbPerSecond: measured[p]!.summary['MB/s']!.median, failed: failed.get(p)! })),
      total,
      minSpeedup: 2,
    });

    const borderline = comparisons
      .filter((c) => c.runRatios !== undefined && c.runRatios.min < 2 && c.runRatios.max >= 2)
      .map(
        (c) =>
          `${c.subject}'s per-run ratios (${c.runRatios!.min.toFixed(2)}–${c.runRatios!.max.toFixed(2)}×) straddle the 2× target: its speed verdict could flip on another run.`,
      );
    const correctness: Table = {
      title: 'Correctness (each parser fed a byte stream; records compared as plain objects)',
      columns: ['case', ...PARSER_NAMES],
      rows: correctnessRows,
    };
    const normalisations = cases.filter((c) => c.normalisation !== undefined).map((c) => `Corpus normalisation, ${c.name}: ${c.normalisation}.`);
    return {
      parameters: {
        file: `${describeFile(report)}, ${REPORT_COLUMNS.length} columns, LF`,
        'runs per subject': `${runs} kept + ${warmup} warmup, interleaved, one child process each`,
        'MB/s': 'file bytes / 10^6 / parse time inside the child (start-up excluded; wallMs includes it)',
        'papaparse-utf8': 'papaparse fed text from a StringDecoder instead of raw bytes',
        'read-only': 'the same file streamed and its newlines counted, no parsing: the I/O floor',
      },
      measurements: [...PARSER_NAMES, 'read-only'].map((name) => measured[name]!),
      comparisons,
      tables: [correctness],
      notes: [...normalisations, ...borderline, ...decision.lines],
    };
  },
};

export default parserCase;
