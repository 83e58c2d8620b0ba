import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServerProcessOptions {
  env: NodeJS.ProcessEnv;
  /** Polled with GET until it answers 2xx. */
  readyUrl: string;
  /** Where the child's stdout goes (its JSON logs); /dev/null by default, so logging costs what it costs in production. */
  stdoutPath?: string;
  nodeArgs?: string[];
  cwd?: string;
  readyTimeoutMs?: number;
}

export interface ServerProcess {
  readonly pid: number;
  /**
   * CPU seconds (user + system) the process has used so far, from /proc (Linux); null elsewhere.
   * Less sensitive to a busy machine than throughput: what one request costs the server.
   */
  cpuSeconds(): number | null;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * A long-running server in its own `node --import tsx` process (the thing a load generator must
 * not share a process with). Its stderr is kept and shown if it dies or never gets ready.
 */
export async function startServerProcess(script: string, args: readonly string[], options: ServerProcessOptions): Promise<ServerProcess> {
  const out = openSync(options.stdoutPath ?? '/dev/null', 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', out, 'pipe'],
    });
  } finally {
    closeSync(out);
  }
  const stderr: Buffer[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  const describe = () => `${script}: ${Buffer.concat(stderr).toString('utf8').trim().slice(-2000)}`;

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited !== null) throw new Error(`server exited before it was ready (${JSON.stringify(exited)}) ${describe()}`);
    try {
      const response = await fetch(options.readyUrl, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exit;
      throw new Error(`server not ready at ${options.readyUrl} in time ${describe()}`);
    }
    await sleep(100);
  }

  const pid = child.pid!;
  return {
    pid,
    cpuSeconds: () => processCpuSeconds(pid),
    async stop(graceMs = 10_000) {
      if (exited !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / CLOCK_TICKS : null;
  } catch {
    return null;
  }
}
