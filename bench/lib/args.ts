/**
 * Command-line arguments of the bench runner: positionals select cases, `--name value` or
 * `--name=value` set options that any case may read. Options not in `booleanFlags` always take a
 * value, so `--mb 20 parser` reads as intended.
 */
export interface CliArgs {
  positionals: string[];
  has(name: string): boolean;
  string(name: string): string | undefined;
  number(name: string, fallback: number, check?: { min?: number; integer?: boolean }): number;
}

// Case flags without a value live here too (the parser cannot know which options a case reads).
const booleanFlags = new Set(['help', 'list', 'keep', 'strict', 'big', 'cpu-prof', 'decompose']);

export function parseCliArgs(argv: readonly string[]): CliArgs {
  const positionals: string[] = [];
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const body = arg.slice(2);
    const eq = body.indexOf('=');
    if (eq >= 0) {
      values.set(body.slice(0, eq), body.slice(eq + 1));
    } else if (booleanFlags.has(body)) {
      values.set(body, 'true');
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`option --${body} needs a value`);
      values.set(body, next);
      i++;
    }
  }
  return {
    positionals,
    has: (name) => values.has(name),
    string: (name) => values.get(name),
    number(name, fallback, check = {}) {
      const raw = values.get(name);
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || (check.integer === true && !Number.isInteger(n)) || (check.min !== undefined && n < check.min)) {
        const kind = check.integer === true ? 'a whole number' : 'a number';
        throw new Error(`option --${name} must be ${kind}${check.min === undefined ? '' : ` ≥ ${check.min}`}, got "${raw}"`);
      }
      return n;
    },
  };
}
