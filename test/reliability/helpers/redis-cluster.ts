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
  /** The port of the master that holds `key`'s slot. */
  masterOf(key: string): Promise<number>;
  /**
   * Starts one more node and joins it as a replica of the master on `masterPort`; resolves once
   * that master counts it as an online replica. `stop()` kills it (SIGKILL).
   */
  addReplica(masterPort: number): Promise<{ port: number; stop(): Promise<void> }>;
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

/** Whether `node` serves `slot` itself: the range of CLUSTER SLOTS holding it names the node's own id as its master. */
async function ownsSlot(node: Redis, slot: number): Promise<boolean> {
  const ranges = await node.cluster('SLOTS');
  const id = await node.cluster('MYID');
  return ranges.some(([start, end, owner]) => start <= slot && slot <= end && owner?.[2] === id);
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const tls = options.tls;
  const servers: Array<{ port: number; child: ChildProcess; dir: string; exited: Promise<void> }> = [];
  const nodes: Redis[] = [];
  /** Every plain connection made, the masters' and the replicas'. */
  const connections: Redis[] = [];
  const close = async () => {
    for (const node of connections) node.disconnect();
    for (const server of servers) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await Promise.all(servers.map((server) => server.exited));
    for (const server of servers) rmSync(server.dir, { recursive: true, force: true });
  };
  /** A cluster-enabled redis-server on a free port with its own folder, answering, and a plain connection to it. */
  const startNode = async (): Promise<{ port: number; node: Redis; server: (typeof servers)[number] }> => {
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
    const server = { port, child, dir, exited };
    servers.push(server);
    const node = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, lazyConnect: false, ...(tls ? { tls: { ca: tls.ca } } : {}) });
    node.on('error', () => undefined);
    connections.push(node);
    await until(async () => (tls ? (await node.ping()) === 'PONG' : answersPing(port)), `redis-server (cluster node) on ${port} answering`, 10_000);
    return { port, node, server };
  };
  const tlsArgs = tls ? ['--tls', '--cacert', tls.caFile] : [];
  try {
    for (let i = 0; i < (options.masters ?? 3); i++) nodes.push((await startNode()).node);
    const ports = servers.map((server) => server.port);
    const created = spawnSync(
      'redis-cli',
      [...tlsArgs, '--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed (${created.status}): ${created.stdout}${created.stderr}`);
    await until(async () => {
      const states = await Promise.all(nodes.map(async (node) => (await node.cluster('INFO')).includes('cluster_state:ok')));
      return states.every(Boolean);
    }, 'every node saying cluster_state:ok');
    const masterOf = async (key: string): Promise<number> => {
      const slot = await nodes[0]!.cluster('KEYSLOT', key);
      for (const [index, node] of nodes.entries()) if (await ownsSlot(node, slot)) return ports[index]!;
      throw new Error(`no master holds slot ${slot}`);
    };
    const addReplica = async (masterPort: number) => {
      const master = nodes[ports.indexOf(masterPort)];
      if (!master) throw new Error(`no master on ${masterPort}`);
      const masterId = await master.cluster('MYID');
      const { port, server } = await startNode();
      const added = spawnSync(
        'redis-cli',
        [...tlsArgs, '--cluster', 'add-node', `127.0.0.1:${port}`, `127.0.0.1:${masterPort}`, '--cluster-slave', '--cluster-master-id', masterId],
        { encoding: 'utf8', timeout: 30_000 },
      );
      if (added.status !== 0) throw new Error(`redis-cli --cluster add-node failed (${added.status}): ${added.stdout}${added.stderr}`);
      await until(async () => /^slave0:.*state=online/mu.test(await master.info('replication')), `the replica on ${port} online at ${masterPort}`);
      return {
        port,
        stop: async () => {
          server.child.kill('SIGKILL');
          await server.exited;
        },
      };
    };
    return { ports, url: `${tls ? 'rediss' : 'redis'}+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`, nodes, masterOf, addReplica, close };
  } catch (error) {
    await close();
    throw error;
  }
}
