/**
 * Bench runner: `npm run bench` runs every case in bench/cases/ but the opt-in ones, `npm run bench -- parser` one.
 * Prints the machine's facts first, then each case's tables, and writes each case's results to bench/results/<case>.md.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseCliArgs } from './lib/args.js';
import type { BenchCase } from './lib/case.js';
import { machineFacts } from './lib/machine.js';
import { outcomeMissed, renderCaseMarkdown, renderCaseText, renderMachineText } from './lib/report.js';
import type { CaseOutcome, RunFacts } from './lib/report.js';
import { benchRedisUrl } from './lib/redis-url.js';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const repoDir = join(benchDir, '..');
const casesDir = join(benchDir, 'cases');
const resultsDir = join(benchDir, 'results');

function isBenchCase(value: unknown): value is BenchCase {
  const candidate = value as Partial<BenchCase> | undefined;
  return typeof candidate?.run === 'function' && typeof candidate.description === 'string' && typeof candidate.defaults === 'object';
}

async function loadCases(): Promise<Map<string, BenchCase>> {
  const files = (await readdir(casesDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
  const cases = new Map<string, BenchCase>();
  for (const file of files) {
    const module = (await import(pathToFileURL(join(casesDir, file)).href)) as { default?: unknown };
    if (!isBenchCase(module.default)) throw new Error(`bench/cases/${file} must export default a BenchCase (see bench/lib/case.ts)`);
    cases.set(basename(file, '.ts'), module.default);
  }
  return cases;
}

function usage(cases: Map<string, BenchCase>): string {
  const lines = [
    'usage: npm run bench -- [case ...] [--runs N] [--warmup N] [--keep] [--strict] [case options]',
    '  --runs N, --warmup N   override the case defaults',
    '  --keep                 keep the temporary directory of each case',
    '  --strict               exit 1 when any target is a MISS (for gating CI on a target)',
    '',
    'cases:',
  ];
  for (const [name, c] of cases) {
    const optIn = c.optIn === true ? '; opt-in: runs only when named' : '';
    lines.push(`  ${name.padEnd(12)} ${c.description} (default ${c.defaults.runs} runs + ${c.defaults.warmup} warmup${optIn})`);
    for (const option of c.options ?? []) lines.push(`  ${''.padEnd(12)}   ${option}`);
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const args = parseCliArgs(argv);
  const cases = await loadCases();
  if (args.has('help') || args.has('list')) {
    console.log(usage(cases));
    return 0;
  }
  const unknown = args.positionals.filter((name) => !cases.has(name));
  if (unknown.length > 0) {
    console.error(`unknown case(s): ${unknown.join(', ')}\n\n${usage(cases)}`);
    return 2;
  }
  const selected = args.positionals.length > 0 ? args.positionals : [...cases].filter(([, c]) => c.optIn !== true).map(([name]) => name);

  const command = `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
  const startedAt = new Date().toISOString();
  // The bench is an entry point of its own; the service's config (with its required secrets) is not loaded here.
  const machine = await machineFacts({ redisUrl: benchRedisUrl(), repoDir });
  const run: RunFacts = { command, startedAt, machine };
  console.log(renderMachineText(machine));
  await mkdir(resultsDir, { recursive: true });

  const outcomes: CaseOutcome[] = [];
  for (const name of selected) {
    const benchCase = cases.get(name)!;
    const head = { name, description: benchCase.description };
    console.log(`\n== ${name}: ${benchCase.description}`);
    const tmpDir = await mkdtemp(join(os.tmpdir(), `report-relay-bench-${name}-`));
    const started = performance.now();
    let outcome: CaseOutcome;
    try {
      const result = await benchCase.run({
        args,
        runs: args.number('runs', benchCase.defaults.runs, { min: 1, integer: true }),
        warmup: args.number('warmup', benchCase.defaults.warmup, { min: 0, integer: true }),
        tmpDir,
        repoDir,
        machine,
        log: (line) => console.log(`   ${line}`),
      });
      outcome = { ...head, durationMs: performance.now() - started, status: 'ok', result };
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      outcome = { ...head, durationMs: performance.now() - started, status: 'error', error: message };
    } finally {
      if (args.has('keep')) console.log(`   kept ${tmpDir}`);
      else await rm(tmpDir, { recursive: true, force: true });
    }
    outcomes.push(outcome);
    console.log(`\n${renderCaseText(outcome)}`);
    // A failed case leaves its previous results file as it was.
    if (outcome.status === 'ok') {
      const file = join(resultsDir, `${name}.md`);
      await writeFile(file, renderCaseMarkdown(outcome, run));
      console.log(`\nwrote ${file}`);
    }
  }

  if (outcomes.some((o) => o.status === 'error')) return 1;
  const missed = outcomes.some(outcomeMissed);
  return args.has('strict') && missed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
