/**
 * Writes a synthetic usage report for manual tests and other benches:
 *   npx tsx bench/tools/generate-csv.ts --out /tmp/report.csv --mb 150   (or --rows 100000)
 * Options: --seed N, --crlf, --bom. Prints the generator's figures as JSON.
 */
import { parseCliArgs } from '../lib/args.js';
import { generateReportCsv } from '../lib/generate-report-csv.js';

const args = parseCliArgs(process.argv.slice(2).map((arg) => (arg === '--crlf' || arg === '--bom' ? `${arg}=true` : arg)));
const out = args.string('out');
if (out === undefined || args.has('mb') === args.has('rows')) {
  console.error('usage: npx tsx bench/tools/generate-csv.ts --out FILE (--mb N | --rows N) [--seed N] [--crlf] [--bom]');
  process.exitCode = 2;
} else {
  const report = await generateReportCsv({
    path: out,
    ...(args.has('rows') ? { rows: args.number('rows', 0, { min: 0, integer: true }) } : { targetBytes: args.number('mb', 0, { min: 0 }) * 1e6 }),
    seed: args.number('seed', 1, { integer: true }),
    lineEnding: args.has('crlf') ? '\r\n' : '\n',
    bom: args.has('bom'),
  });
  console.log(JSON.stringify(report));
}
