import type { CliArgs } from './args.js';
import type { MachineFacts } from './machine.js';
import type { Comparison, Measurement } from './measure.js';

/** Any extra result a case wants in the report (a correctness matrix, file facts...). */
export interface Table {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

/**
 * A target stated as an absolute figure rather than a ratio to a baseline (peak RSS under a
 * limit, a median latency under a bound, a count that must be zero).
 */
export interface Check {
  /** What is checked, e.g. "pipeline 150 MB: peak RSS". */
  name: string;
  /** The measured figure (usually a median), in `unit`. */
  value: number;
  unit: string;
  /** The target in words, e.g. "< 150 MB". */
  target: string;
  pass: boolean;
}

export interface CaseResult {
  /** Inputs that shaped the figures (file size, rows, runs...), printed above them. */
  parameters: Record<string, string | number>;
  measurements: Measurement[];
  comparisons: Comparison[];
  /** Absolute targets; `--strict` fails on a MISS here as on a comparison. */
  checks?: Check[];
  tables?: Table[];
  /** Conclusions in plain words, e.g. the outcome of a decision rule. */
  notes?: string[];
}

export interface CaseContext {
  args: CliArgs;
  /** Runs and warmup after command-line overrides of the case's defaults. */
  runs: number;
  warmup: number;
  /** A fresh directory for this case, removed afterwards unless --keep is given. */
  tmpDir: string;
  repoDir: string;
  machine: MachineFacts;
  log: (line: string) => void;
}

/**
 * What a file in bench/cases/ exports as default. The file name (without .ts) is the name used
 * to select it: `npm run bench -- parser`.
 */
export interface BenchCase {
  description: string;
  defaults: { runs: number; warmup: number };
  /** One line per case-specific option, shown by --help. */
  options?: string[];
  /** Run only when named: the case answers a question already decided, kept to re-check it. */
  optIn?: boolean;
  run(context: CaseContext): Promise<CaseResult>;
}
