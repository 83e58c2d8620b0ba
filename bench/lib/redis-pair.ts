import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { loopbackRedisUrl } from './redis-url.js';

/**
 * A Redis master and one replica of the case's own (`redis-server` processes on free loopback
 * ports, no persistence), for cases that measure what replication costs. Ready once the replica's
 * link to the master is up.
 */
export interface RedisPair {
  masterUrl: string;
  close(): Promise<void>;
}

async function startServer(dir: string, extraArgs: string[]): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extraArgs], {
    stdio: 'ignore',
  });
  await until(port, async (client) => (await client.ping()) === 'PONG', `redis-server on ${port} answering`);
  return { port, child };
}

/** Polls a fresh connection to `port` until `ready` holds (at most 20 s). */
async function until(port: number, ready: (client: Redis) => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    const ok = await client
      .connect()
      .then(() => ready(client))
      .catch(() => false);
    client.disconnect();
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startRedisPair(tmpDir: string): Promise<RedisPair> {
  const dir = mkdtempSync(join(tmpDir, 'redis-pair-'));
  const started: ChildProcess[] = [];
  const close = async () => {
    await Promise.all(
      started.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) resolve();
            else {
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    mkdirSync(join(dir, 'master'));
    mkdirSync(join(dir, 'replica'));
    const master = await startServer(join(dir, 'master'), []);
    started.push(master.child);
    const replica = await startServer(join(dir, 'replica'), ['--replicaof', '127.0.0.1', String(master.port)]);
    started.push(replica.child);
    await until(replica.port, async (client) => (await client.info('replication')).includes('master_link_status:up'), 'the replica syncing');
    return { masterUrl: loopbackRedisUrl(master.port), close };
  } catch (error) {
    await close();
    throw error;
  }
}
