import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

/** Bytes per kilobyte as Linux reports maxRSS, and bytes per MB as every bench figure uses. */
const KB = 1024;
const MB = 1_000_000;

export interface ChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Extra flags for node itself, e.g. ['--max-old-space-size=256']. */
  nodeArgs?: string[];
  /**
   * The script is compiled JavaScript (see compileTree): run it with plain node and this
   * compiled child probe instead of through tsx.
   */
  compiledProbe?: string;
  timeoutMs?: number;
}

export interface ChildResult<T = unknown> {
  /** The last non-empty line of the child's stdout, parsed as JSON. */
  json: T;
  stdout: string;
  /** Peak resident set size of the child, in MB (10^6 bytes). */
  maxRssMb: number;
  /** From spawn to exit as seen by the parent, including Node and tsx start-up. */
  wallMs: number;
}

const probe = new URL('./child-probe.ts', import.meta.url).href;

/**
 * Runs a TypeScript script in a fresh `node --import tsx` process (or a compiled one with plain
 * node, see `compiledProbe`) and reports its peak RSS.
 * Memory is measured in a child because the harness's own RSS carries every earlier case.
 */
export function runChild<T = unknown>(script: string, args: readonly string[] = [], options: ChildOptions = {}): Promise<ChildResult<T>> {
  const started = performance.now();
  const loader = options.compiledProbe === undefined ? ['--import', 'tsx', '--import', probe] : ['--import', pathToFileURL(options.compiledProbe).href];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, script, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const report: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  const reportPipe = child.stdio[3];
  reportPipe?.on('data', (chunk: Buffer) => report.push(chunk));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10 * 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8').trim();
      if (code !== 0) {
        reject(new Error(`${script} ${args.join(' ')} exited with ${signal ?? `code ${code}`}${err === '' ? '' : `:\n${err}`}`));
        return;
      }
      try {
        const { maxRssKb } = JSON.parse(Buffer.concat(report).toString('utf8')) as { maxRssKb: number };
        const lastLine = out.trimEnd().split('\n').at(-1) ?? '';
        resolve({ json: JSON.parse(lastLine) as T, stdout: out, maxRssMb: (maxRssKb * KB) / MB, wallMs });
      } catch (error) {
        reject(new Error(`${script}: could not read its JSON result or RSS report (stdout ended ${JSON.stringify(out.slice(-200))})`, { cause: error }));
      }
    });
  });
}
