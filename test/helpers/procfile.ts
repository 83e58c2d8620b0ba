import { readFileSync } from 'node:fs';
import { parseProcfileCommand } from '../../bench/lib/worker-command.js';

/**
 * The Procfile's commands as argument vectors: the one place the processes' node flags are written,
 * which the Dockerfile, compose.yaml, the systemd units and package.json's scripts must repeat word for word.
 */

const ROOT = new URL('../../', import.meta.url);

export const PROCFILE = readFileSync(new URL('Procfile', ROOT), 'utf8');

export const SCRIPTS = (JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** `node [flags] <script>` as words; a Procfile line that sets environment variables is refused (no other file could repeat them). */
export function procfileArgv(name: 'web' | 'worker', procfile: string = PROCFILE): string[] {
  const { env, nodeArgs, script } = parseProcfileCommand(procfile, name);
  if (Object.keys(env).length > 0) throw new Error(`the Procfile's "${name}:" line sets environment variables`);
  return ['node', ...nodeArgs, script];
}
