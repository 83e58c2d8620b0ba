import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { answersPing } from './redis-server.js';

/**
 * A real Redis Cluster of the test's own on loopback: three masters (no replicas), each a
 * `redis-server --cluster-enabled yes` on a free port with its own folder, joined by
 * `redis-cli --cluster create`. Ready once every node says `cluster_state:ok`. `url` is the
 * service's REDIS_URL for it (every node a seed). With `tls`, the nodes speak TLS only, to clients
 * and to each other (`rediss+cluster://`).
 */
export interface RedisCluster {
  readonly ports: readonly number[];
  readonly url: string;
  /** A plain connection to each master, to read what the nodes hold. */
  readonly nodes: readonly Redis[];
  close(): Promise<void>;
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface RedisClusterOptions {
  masters?: number;
  maxmemoryPolicy?: string;
  /** The nodes' certificate and key, and the CA (PEM text) that clients verify them with. */
  tls?: { certFile: string; keyFile: string; caFile: string; ca: string };
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const tls = options.tls;
  const servers: Array<{ port: number; child: ChildProcess; dir: string; exited: Promise<void> }> = [];
  const nodes: Redis[] = [];
  const close = async () => {
    for (const node of nodes) node.disconnect();
    for (const server of servers) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await Promise.all(servers.map((server) => server.exited));
    for (const server of servers) rmSync(server.dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < (options.masters ?? 3); i++) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'report-relay-cluster-'));
      const child = spawn(
        'redis-server',
        [
          ...(tls ? ['--port', '0', '--tls-port', String(port), '--tls-cluster', 'yes', '--tls-auth-clients', 'no'] : ['--port', String(port)]),
          ...(tls ? ['--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile] : []),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--save',
          '',
          '--appendonly',
          'no',
          '--maxmemory-policy',
          options.maxmemoryPolicy ?? 'noeviction',
        ],
        { stdio: ['ignore', 'ignore', 'ignore'] },
      );
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      servers.push({ port, child, dir, exited });
      const node = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, lazyConnect: false, ...(tls ? { tls: { ca: tls.ca } } : {}) });
      node.on('error', () => undefined);
      nodes.push(node);
      await until(async () => (tls ? (await node.ping()) === 'PONG' : answersPing(port)), `redis-server (cluster node) on ${port} answering`, 10_000);
    }
    const ports = servers.map((server) => server.port);
    const created = spawnSync(
      'redis-cli',
      [
        ...(tls ? ['--tls', '--cacert', tls.caFile] : []),
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed (${created.status}): ${created.stdout}${created.stderr}`);
    await until(async () => {
      const states = await Promise.all(nodes.map(async (node) => (await node.cluster('INFO')).includes('cluster_state:ok')));
      return states.every(Boolean);
    }, 'every node saying cluster_state:ok');
    return { ports, url: `${tls ? 'rediss' : 'redis'}+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`, nodes, close };
  } catch (error) {
    await close();
    throw error;
  }
}
