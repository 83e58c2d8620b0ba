import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_ADMIN_TOKEN } from '../../helpers/config.js';
import { ROOT, entryPoint, type EntryPoint } from './build.js';

/**
 * The real compiled entry points as child processes, configured only through their environment
 * (as on a platform), with their JSON log lines collected from stdout so tests can wait for
 * and read them.
 */

export interface LogLine {
  level?: string;
  msg?: string;
  [field: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Parsed JSON lines from stdout, in order. */
  readonly logs: LogLine[];
  /** Everything on stderr (config errors are printed there). */
  stderr(): string;
  /** Resolves with the first log line (past or future) matching `predicate`. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  readonly exited: Promise<Exit>;
  readonly alive: boolean;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL if still running, and wait for the exit. Safe to call twice. */
  kill(): Promise<Exit>;
}

export interface ServiceEnvOptions {
  port: number;
  redisUrl: string;
  prefix: string;
  losantUrl?: string;
  losantToken?: string;
  instanceId?: string;
  smtpUrl?: string;
  dataDir?: string;
  extra?: Record<string, string>;
}

/** A complete environment for a child process; nothing is inherited but PATH and HOME. */
export function serviceEnv(options: ServiceEnvOptions): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    PORT: String(options.port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${options.port}`,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: options.prefix,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOSANT_API_URL: options.losantUrl ?? 'http://127.0.0.1:9',
    LOSANT_API_TOKEN: options.losantToken ?? 'test-losant-token',
    LOSANT_INSTANCE_ID: options.instanceId ?? 'a1b2c3d4e5f6a1b2c3d4e5f6',
    ...(options.smtpUrl ? { SMTP_URL: options.smtpUrl } : {}),
    DATA_DIR: options.dataDir ?? mkdtempSync(join(tmpdir(), 'report-relay-rel-')),
    DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true',
    DOWNLOAD_ALLOWED_HOSTS: '127.0.0.1',
    DOWNLOAD_ALLOWED_PORTS: '*',
    JOB_BACKOFF_MS: '100',
    JOB_ATTEMPTS: '6',
    // The SMTP servers of the tests are plain TCP.
    SMTP_REQUIRE_TLS: 'false',
    ...options.extra,
  };
}

export function spawnService(entry: EntryPoint, env: Record<string, string>, name: string = entry): ServiceProcess {
  return spawnNode([entryPoint(entry)], env, name, ROOT);
}

/** `node <args>` in `cwd`, watched like spawnService's (e.g. a command as an image runs it, from the image's file set). */
export function spawnNode(args: string[], env: Record<string, string>, name: string, cwd: string): ServiceProcess {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  const waiters = new Set<{ predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  let stderr = '';
  let pending = '';
  let alive = true;

  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const text of lines) {
      if (text.trim() === '') continue;
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text };
      }
      logs.push(line);
      for (const waiter of waiters) {
        if (waiter.predicate(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal });
    });
  });

  return {
    name,
    child,
    pid: child.pid ?? -1,
    logs,
    stderr: () => stderr,
    waitForLog(predicate, timeoutMs = 15_000) {
      const found = logs.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (line: LogLine) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const tail = logs
            .slice(-15)
            .map((line) => JSON.stringify(line))
            .join('\n');
          reject(new Error(`${name}: no matching log line within ${timeoutMs} ms; last lines:\n${tail}\nstderr: ${stderr.slice(-2000)}`));
        }, timeoutMs);
        waiters.add(waiter);
        void exited.then(() => {
          if (!waiters.has(waiter)) return;
          // Give the last stdout chunk a moment to be parsed before giving up.
          setTimeout(() => {
            if (!waiters.delete(waiter)) return;
            clearTimeout(timer);
            reject(new Error(`${name} exited before logging the expected line; stderr: ${stderr.slice(-2000)}`));
          }, 100);
        });
      });
    },
    exited,
    get alive() {
      return alive;
    },
    signal(signal) {
      if (alive) child.kill(signal);
    },
    async kill() {
      if (alive) child.kill('SIGKILL');
      return exited;
    },
  };
}

/** Matches a log line by its message. */
export const msg = (text: string | RegExp) => (line: LogLine) => (typeof text === 'string' ? line.msg === text : text.test(line.msg ?? ''));
