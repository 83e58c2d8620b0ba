import { readFileSync } from 'node:fs';

/**
 * The Dockerfile read as its stages and instructions (continuation lines joined, comments and
 * parser directives dropped), enough to check what the image holds and runs without a Docker engine.
 */

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ... */
  keyword: string;
  /** The rest of the instruction, as written. */
  args: string;
}

export interface Stage {
  /** The name after `AS`, or the stage's index. */
  name: string;
  base: string;
  instructions: Instruction[];
}

export function readDockerfile(path: string | URL): Stage[] {
  return parseDockerfile(readFileSync(path, 'utf8'));
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // a comment between continuation lines
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    const [keyword = ''] = whole.split(/\s+/u);
    const instruction = { keyword: keyword.toUpperCase(), args: whole.slice(keyword.length).trim() };
    if (instruction.keyword === 'FROM') {
      const [base = '', as, name] = instruction.args.split(/\s+/u);
      stages.push({ name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length), base, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`the Dockerfile has "${keyword}" before its first FROM`);
    stage.instructions.push(instruction);
  }
  return stages;
}

/** The arguments of the stage's instructions with this keyword, in order. */
export function argsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
}

/** An exec-form command (`["node", "x.js"]`) as its words; the shell form is refused: it would put a shell between the signals and node. */
export function execForm(args: string): string[] {
  const words: unknown = JSON.parse(args);
  if (!Array.isArray(words) || !words.every((word) => typeof word === 'string')) throw new Error(`not an exec-form command: ${args}`);
  return words;
}

/** `KEY=value` pairs of the stage's ENV instructions (quotes removed). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of argsOf(stage, 'ENV')) {
    for (const [, key = '', value = ''] of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/gu)) env[key] = value.replace(/^"|"$/gu, '');
  }
  return env;
}

export interface Copy {
  /** The stage copied from (`--from=`), or undefined for the build context. */
  from: string | undefined;
  sources: string[];
  destination: string;
}

/** The stage's COPY instructions: where from, what, to where (flags other than --from ignored). */
export function copiesOf(stage: Stage): Copy[] {
  return argsOf(stage, 'COPY').map((args) => {
    const words = args.split(/\s+/u);
    const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
    const paths = words.filter((word) => !word.startsWith('--'));
    const destination = paths.pop();
    if (destination === undefined || paths.length === 0) throw new Error(`COPY without a source: ${args}`);
    return { from, sources: paths, destination };
  });
}

/** The stage's HEALTHCHECK command (exec form), without its options. */
export function healthcheckOf(stage: Stage): string[] {
  const [healthcheck] = argsOf(stage, 'HEALTHCHECK');
  const at = healthcheck?.search(/(^|\s)CMD\s/u) ?? -1;
  if (healthcheck === undefined || at < 0) throw new Error('the stage has no HEALTHCHECK CMD');
  return execForm(healthcheck.slice(healthcheck.indexOf('CMD', at) + 'CMD'.length).trim());
}

/** The packages the stage's RUN instructions install with `apt-get install`, each with the RUN that installs it. */
export function aptInstallsOf(stage: Stage): Array<{ name: string; run: string }> {
  return argsOf(stage, 'RUN').flatMap((run) =>
    run
      .split('&&')
      .map((command) => command.trim().split(/\s+/u))
      .filter((words) => words[0] === 'apt-get' && words.includes('install'))
      .flatMap((words) => words.slice(words.indexOf('install') + 1).filter((word) => !word.startsWith('-')))
      .map((name) => ({ name, run })),
  );
}
