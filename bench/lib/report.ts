import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaseResult, Table } from './case.js';
import type { MachineFacts } from './machine.js';

export interface CaseOutcome {
  name: string;
  description: string;
  durationMs: number;
  status: 'ok' | 'error';
  error?: string;
  result?: CaseResult;
  /** Set when the outcome was carried over from an earlier run (see mergeWithPrevious). */
  origin?: RunOrigin;
}

/** Where a carried-over case's figures came from: they are only comparable with their own machine. */
export interface RunOrigin {
  command: string;
  startedAt: string;
  machine: MachineFacts;
}

export interface RunReport {
  command: string;
  startedAt: string;
  finishedAt: string;
  machine: MachineFacts;
  cases: CaseOutcome[];
}

/** Three significant figures at most, without exponent notation for the magnitudes benches see. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 100) return Math.round(n).toLocaleString('en-US');
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1 || abs === 0) return n.toFixed(2);
  return n.toPrecision(2);
}

const percent = (ratio: number): string => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)}%` : String(ratio));

function machineTable(machine: MachineFacts): Table {
  return {
    title: 'Machine',
    columns: ['fact', 'value'],
    rows: [
      ['CPU', `${machine.cpuModel} (${machine.cpus} logical, ${machine.availableParallelism} available)`],
      ['memory', `${machine.totalMemoryGb} GB`],
      ['Node', `${machine.node} (V8 ${machine.v8})`],
      ['OS', `${machine.os} ${machine.arch}`],
      ['load average (1 min) at start', machine.loadAverage1m],
      ['Redis', machine.redis],
      ['git commit', machine.gitCommit],
    ],
  };
}

function caseTables(result: CaseResult): Table[] {
  const tables: Table[] = [];
  const params = Object.entries(result.parameters);
  if (params.length > 0) tables.push({ title: 'Parameters', columns: ['parameter', 'value'], rows: params });
  if (result.measurements.length > 0) {
    tables.push({
      title: 'Measurements (median of kept runs; spread = (max-min)/median)',
      columns: ['subject', 'metric', 'median', 'min', 'max', 'spread', 'IQR', 'runs'],
      rows: result.measurements.flatMap((m) =>
        Object.entries(m.summary).map(([metric, s]) => [
          m.name,
          metric,
          formatNumber(s.median),
          formatNumber(s.min),
          formatNumber(s.max),
          percent(s.spread),
          formatNumber(s.iqr),
          `${s.n} (+${m.warmup} warmup)`,
        ]),
      ),
    });
  }
  const checks = result.checks ?? [];
  if (checks.length > 0) {
    tables.push({
      title: 'Absolute targets',
      columns: ['what', 'value', 'target', 'verdict'],
      rows: checks.map((c) => [c.name, `${formatNumber(c.value)} ${c.unit}`.trim(), c.target, c.pass ? 'PASS' : 'MISS']),
    });
  }
  if (result.comparisons.length > 0) {
    tables.push({
      title: 'Comparisons against a baseline measured in the same run',
      columns: ['subject', 'baseline', 'metric', 'subject median', 'baseline median', 'ratio', 'per-run ratios', 'target', 'verdict', 'PASS means'],
      rows: result.comparisons.map((c) => [
        c.subject,
        c.baseline,
        c.metric,
        formatNumber(c.subjectMedian),
        formatNumber(c.baselineMedian),
        `${c.ratio.toFixed(2)}×`,
        c.runRatios === undefined ? '' : `${c.runRatios.min.toFixed(2)}–${c.runRatios.max.toFixed(2)}×`,
        c.target,
        c.pass ? 'PASS' : 'MISS',
        c.meaning ?? '',
      ]),
    });
  }
  return [...tables, ...(result.tables ?? [])];
}

export function textTable(table: Table): string {
  const cells = [table.columns, ...table.rows.map((row) => row.map(String))];
  const widths = table.columns.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [table.title, line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

export function markdownTable(table: Table): string {
  const escape = (cell: string | number) => String(cell).replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [
    `**${table.title}**`,
    '',
    `| ${table.columns.map(escape).join(' | ')} |`,
    `| ${table.columns.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

/** A busy machine makes every figure noisy; say so next to the figures, not only in the facts. */
export function busyWarning(machine: MachineFacts): string | undefined {
  if (machine.loadAverage1m <= machine.availableParallelism) return undefined;
  return `Warning: the 1-minute load average (${machine.loadAverage1m}) exceeded the ${machine.availableParallelism} available CPUs when the run started; expect noisy figures.`;
}

export function renderMachineText(machine: MachineFacts): string {
  const warning = busyWarning(machine);
  return `${textTable(machineTable(machine))}${warning === undefined ? '' : `\n${warning}`}`;
}

export function renderCaseText(outcome: CaseOutcome): string {
  const head = `== ${outcome.name}: ${outcome.status === 'ok' ? 'done' : 'FAILED'} in ${(outcome.durationMs / 1000).toFixed(1)} s`;
  if (outcome.result === undefined) return `${head}\n${outcome.error ?? ''}`;
  const notes = outcome.result.notes ?? [];
  return [head, ...caseTables(outcome.result).map(textTable), ...(notes.length > 0 ? [notes.join('\n')] : [])].join('\n\n');
}

export function renderMarkdown(report: RunReport): string {
  const parts = [
    '# Benchmark results',
    '',
    `Command: \`${report.command}\`  `,
    `Started ${report.startedAt}, finished ${report.finishedAt}. Generated file: a run of every case rewrites it, a run of some cases replaces their sections.`,
    '',
    markdownTable(machineTable(report.machine)),
  ];
  const warning = busyWarning(report.machine);
  if (warning !== undefined) parts.push('', `**${warning}**`);
  for (const outcome of report.cases) {
    parts.push('', `## ${outcome.name}`, '', outcome.description, '');
    if (outcome.origin !== undefined) {
      const m = outcome.origin.machine;
      parts.push(
        `From an earlier run: \`${outcome.origin.command}\`, started ${outcome.origin.startedAt}` +
          ` (load average ${m.loadAverage1m} at start, git ${m.gitCommit}${m.cpuModel === report.machine.cpuModel && m.cpus === report.machine.cpus ? '' : `, on ${m.cpuModel} × ${m.cpus}`}).`,
        '',
      );
    }
    parts.push(`Status: ${outcome.status}, ${(outcome.durationMs / 1000).toFixed(1)} s.`);
    if (outcome.error !== undefined) parts.push('', '```', outcome.error, '```');
    if (outcome.result === undefined) continue;
    for (const table of caseTables(outcome.result)) parts.push('', markdownTable(table));
    const notes = outcome.result.notes ?? [];
    if (notes.length > 0) parts.push('', ...notes.map((note) => `- ${note}`));
  }
  return `${parts.join('\n')}\n`;
}

/** True when any absolute target or comparison of the outcome is a MISS. */
export function outcomeMissed(outcome: CaseOutcome): boolean {
  const result = outcome.result;
  if (result === undefined) return false;
  return result.comparisons.some((c) => !c.pass) || (result.checks ?? []).some((c) => !c.pass);
}

/**
 * A run of some cases keeps the other cases' sections from the previous report, each marked with
 * the run it came from, so latest.md always covers every case. Cases are ordered as `order`
 * (the runner's case list); cases that no longer exist are dropped.
 */
export function mergeWithPrevious(previous: RunReport | null, current: RunReport, order: readonly string[]): RunReport {
  const byName = new Map<string, CaseOutcome>();
  for (const outcome of previous?.cases ?? []) {
    byName.set(outcome.name, {
      ...outcome,
      origin: outcome.origin ?? { command: previous!.command, startedAt: previous!.startedAt, machine: previous!.machine },
    });
  }
  for (const outcome of current.cases) byName.set(outcome.name, outcome);
  const cases = order.flatMap((name) => {
    const outcome = byName.get(name);
    return outcome === undefined ? [] : [outcome];
  });
  return { ...current, cases };
}

/** The previous latest.json, or null when there is none or it cannot be read. */
export async function readPreviousResults(dir: string): Promise<RunReport | null> {
  try {
    const report = JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')) as RunReport;
    return Array.isArray(report.cases) && typeof report.command === 'string' ? report : null;
  } catch {
    return null;
  }
}

/** Writes latest.json and latest.md through temporary files so a killed run leaves the old pair. */
export async function writeResults(dir: string, report: RunReport): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const markdown = join(dir, 'latest.md');
  await writeFile(`${json}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${markdown}.tmp`, renderMarkdown(report));
  await rename(`${json}.tmp`, json);
  await rename(`${markdown}.tmp`, markdown);
  return { json, markdown };
}
