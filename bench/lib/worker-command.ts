import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ProcessCommand {
  /** `NAME=value` assignments before the command (e.g. malloc settings). */
  env: Record<string, string>;
  /** Flags for node itself, between `node` and the script. */
  nodeArgs: string[];
  /** The script node runs, as written (e.g. dist/src/worker.js). */
  script: string;
}

/**
 * Reads one `<name>: [NAME=value ...] node [flags...] <script>` line of a Procfile. The pipeline
 * bench runs its subject with the worker's settings taken from here, so that what is measured
 * is what production runs; test/unit/worker-command.test.ts keeps package.json in step.
 */
export function parseProcfileCommand(procfile: string, name: string): ProcessCommand {
  const line = procfile.split('\n').find((text) => text.startsWith(`${name}:`));
  if (line === undefined) throw new Error(`the Procfile has no "${name}:" line`);
  const words = line
    .slice(name.length + 1)
    .trim()
    .split(/\s+/u);
  const env: Record<string, string> = {};
  let index = 0;
  for (; index < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/u.test(words[index]!); index++) {
    const word = words[index]!;
    const equals = word.indexOf('=');
    env[word.slice(0, equals)] = word.slice(equals + 1);
  }
  if (words[index] !== 'node') throw new Error(`the Procfile's "${name}:" line does not run node: ${line}`);
  index++;
  const nodeArgs: string[] = [];
  for (; index < words.length && words[index]!.startsWith('-'); index++) nodeArgs.push(words[index]!);
  const script = words[index];
  if (script === undefined || index !== words.length - 1) throw new Error(`the Procfile's "${name}:" line is not "node [flags] <script>": ${line}`);
  return { env, nodeArgs, script };
}

/** The worker process's command as production runs it (the Procfile's `worker:` line). */
export async function workerCommand(repoDir: string): Promise<ProcessCommand> {
  return parseProcfileCommand(await readFile(join(repoDir, 'Procfile'), 'utf8'), 'worker');
}
