import type { CaseResult, Table } from './case.js';
import type { MachineFacts } from './machine.js';

export type CaseOutcome = { name: string; description: string; durationMs: number } & (
  { status: 'ok'; result: CaseResult } | { status: 'error'; error: string }
);

/** What produced a results file: the command, when the run started, and on which machine. */
export interface RunFacts {
  command: string;
  startedAt: string;
  machine: MachineFacts;
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

function textTable(table: Table): string {
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

function markdownTable(table: Table): string {
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
function busyWarning(machine: MachineFacts): string | undefined {
  if (machine.loadAverage1m <= machine.availableParallelism) return undefined;
  return `Warning: the 1-minute load average (${machine.loadAverage1m}) exceeded the ${machine.availableParallelism} available CPUs when the run started; expect noisy figures.`;
}

export function renderMachineText(machine: MachineFacts): string {
  const warning = busyWarning(machine);
  return `${textTable(machineTable(machine))}${warning === undefined ? '' : `\n${warning}`}`;
}

export function renderCaseText(outcome: CaseOutcome): string {
  const head = `== ${outcome.name}: ${outcome.status === 'ok' ? 'done' : 'FAILED'} in ${(outcome.durationMs / 1000).toFixed(1)} s`;
  if (outcome.status === 'error') return `${head}\n${outcome.error}`;
  const notes = outcome.result.notes ?? [];
  return [head, ...caseTables(outcome.result).map(textTable), ...(notes.length > 0 ? [notes.join('\n')] : [])].join('\n\n');
}

/** The case's results file, bench/results/<case>.md: what produced the figures and on which machine, then the tables and notes. */
export function renderCaseMarkdown(outcome: CaseOutcome & { status: 'ok' }, run: RunFacts): string {
  const warning = busyWarning(run.machine);
  const parts = [
    `# Benchmark results: ${outcome.name}`,
    '',
    outcome.description,
    '',
    `Command: \`${run.command}\` (run started ${run.startedAt}; this case took ${(outcome.durationMs / 1000).toFixed(1)} s).  `,
    'Generated file: every run of this case rewrites it.',
    '',
    markdownTable(machineTable(run.machine)),
    ...(warning === undefined ? [] : ['', `**${warning}**`]),
    ...caseTables(outcome.result).flatMap((table) => ['', markdownTable(table)]),
  ];
  const notes = outcome.result.notes ?? [];
  if (notes.length > 0) parts.push('', ...notes.map((note) => `- ${note}`));
  return `${parts.join('\n')}\n`;
}

/** True when any absolute target or comparison of the outcome is a MISS. */
export function outcomeMissed(outcome: CaseOutcome): boolean {
  if (outcome.status === 'error') return false;
  return outcome.result.comparisons.some((c) => !c.pass) || (outcome.result.checks ?? []).some((c) => !c.pass);
}
