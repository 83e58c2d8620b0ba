import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/**
 * A `redis-server` of the test's own, on a free loopback port, so that stopping it (or giving it
 * an eviction policy) disturbs no other test and never the shared Redis at 6379.
 *
 * `durable: true` turns on an append-only file fsynced on every write: a Redis killed with -9 and
 * started again on the same port comes back with every write it acknowledged, which is what a
 * production Redis that restarts must do for "nothing acknowledged is lost" to mean anything.
 */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  readonly running: boolean;
  /** Kills the server (SIGKILL: no goodbye to clients, like a crash or a lost host). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it answers PING. */
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  close(): Promise<void>;
}

export interface OwnRedisOptions {
  durable?: boolean;
  maxmemoryPolicy?: string;
  /** e.g. '4mb': a tiny limit, so that writes get OOM errors once it is filled. */
  maxmemory?: string;
  /** More redis-server arguments, e.g. ['--replicaof', '127.0.0.1', '6390']. */
  extraArgs?: string[];
  /** TLS only (no plain port) with this certificate, key and CA; the URL is then rediss://. Clients need no certificate. */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

export async function startOwnRedis(options: OwnRedisOptions = {}): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'report-relay-redis-'));
  const tls = options.tls;
  const args = [
    ...(tls
      ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile]
      : ['--port', String(port)]),
    ...(tls ? ['--tls-auth-clients', 'no'] : []),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--maxmemory-policy',
    options.maxmemoryPolicy ?? 'noeviction',
    ...(options.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(options.maxmemory ? ['--maxmemory', options.maxmemory] : []),
    ...(options.extraArgs ?? []),
  ];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port, 500, tls !== undefined))) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function stop(): Promise<void> {
    if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    child = null;
  }

  await start();
  return {
    port,
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    get running() {
      return child !== null;
    },
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * True when a Redis answers +PONG on the port (a raw RESP exchange: no client, no reconnect loop).
 * Over `tls` the certificate is not checked: this only asks whether the server is up.
 */
export function answersPing(port: number, timeoutMs = 500, tls = false): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket = tls ? connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false }) : connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
  });
}
