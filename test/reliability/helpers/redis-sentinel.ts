import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { answersPing, startOwnRedis, type OwnRedis } from './redis-server.js';

/**
 * A real Sentinel set of the test's own on loopback: a master, one replica and three sentinels
 * (quorum 2), each a `redis-server` process on a free port with its own folder. `url` is the
 * service's REDIS_URL for it. failover() asks a sentinel for a failover (`SENTINEL FAILOVER`)
 * and resolves once every sentinel names the new master; killMaster() kills the master with
 * SIGKILL and resolves once the sentinels have promoted the replica.
 */
export interface SentinelSet {
  readonly masterName: string;
  readonly url: string;
  /** The port of the master the sentinels name now. */
  masterPort(): Promise<number>;
  /** `SENTINEL FAILOVER`, then waits until all three sentinels agree on the other server. */
  failover(): Promise<number>;
  /**
   * SIGKILL of the current master (no goodbye, no last replication), then waits until all three
   * sentinels name the replica and it answers as a master. Resolves with the new master's port.
   */
  killMaster(): Promise<{ killedPort: number; newMasterPort: number }>;
  /** Starts a killed server again; resolves once the master counts it as an online replica. */
  restart(port: number): Promise<void>;
  /** Resolves once every replica has every write the master had when this was called. */
  replicated(): Promise<void>;
  close(): Promise<void>;
}

const MASTER_NAME = 'relaymaster';

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startSentinelSet(): Promise<SentinelSet> {
  const servers: OwnRedis[] = [];
  const sentinels: Array<{ port: number; child: ChildProcess; dir: string }> = [];
  const clients: Redis[] = [];
  const close = async () => {
    for (const client of clients) client.disconnect();
    for (const sentinel of sentinels) {
      sentinel.child.kill('SIGKILL');
      rmSync(sentinel.dir, { recursive: true, force: true });
    }
    await Promise.all(servers.map((server) => server.close()));
  };
  try {
    const master = await startOwnRedis();
    servers.push(master);
    servers.push(await startOwnRedis({ extraArgs: ['--replicaof', '127.0.0.1', String(master.port)] }));
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'report-relay-sentinel-'));
      const config = join(dir, 'sentinel.conf');
      // The sentinel rewrites its file as it learns the set, so each has its own.
      writeFileSync(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
          `sentinel failover-timeout ${MASTER_NAME} 10000`,
          `sentinel parallel-syncs ${MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      const child = spawn('redis-server', [config, '--sentinel'], { stdio: ['ignore', 'ignore', 'ignore'] });
      sentinels.push({ port, child, dir });
      await until(() => answersPing(port), `sentinel on ${port} answering`, 10_000);
      const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, lazyConnect: false });
      client.on('error', () => undefined);
      clients.push(client);
    }
    // Ready when every sentinel knows the replica and the other two sentinels.
    await until(async () => {
      for (const client of clients) {
        const replicas = (await client.call('SENTINEL', 'REPLICAS', MASTER_NAME)) as unknown[];
        const peers = (await client.call('SENTINEL', 'SENTINELS', MASTER_NAME)) as unknown[];
        if (replicas.length < 1 || peers.length < 2) return false;
      }
      return true;
    }, 'the sentinels discovering the replica and each other');
  } catch (error) {
    await close();
    throw error;
  }

  const masterPortSeenBy = async (client: Redis) => Number(((await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as string[])[1]);
  const masterPort = () => masterPortSeenBy(clients[0]!);
  const serverOn = (port: number) => {
    const server = servers.find((candidate) => candidate.port === port);
    if (!server) throw new Error(`no server of the set on port ${port}`);
    return server;
  };
  /** INFO replication of the server on `port`, as fields. */
  const replicationInfo = async (port: number): Promise<Map<string, string>> => {
    const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const text = await client.info('replication');
      return new Map(text.split('\r\n').flatMap((line) => (line.includes(':') ? [line.split(':', 2) as [string, string]] : [])));
    } finally {
      client.disconnect();
    }
  };
  /** The `slaveN` lines of the master's INFO: each replica's state and offset. */
  const replicasOf = (info: Map<string, string>) =>
    [...info.entries()]
      .filter(([key]) => /^slave\d+$/u.test(key))
      .map(([, value]) => new Map(value.split(',').map((pair) => pair.split('=', 2) as [string, string])));

  return {
    masterName: MASTER_NAME,
    url: `redis+sentinel://${sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(',')}/${MASTER_NAME}`,
    masterPort,
    async failover() {
      const before = await masterPort();
      await clients[0]!.call('SENTINEL', 'FAILOVER', MASTER_NAME);
      let after = before;
      await until(async () => {
        const seen = await Promise.all(clients.map(masterPortSeenBy));
        after = seen[0]!;
        return after !== before && seen.every((port) => port === after);
      }, 'every sentinel naming the new master');
      return after;
    },
    async killMaster() {
      const killedPort = await masterPort();
      await serverOn(killedPort).stop();
      let newMasterPort = killedPort;
      await until(async () => {
        const seen = await Promise.all(clients.map(masterPortSeenBy));
        newMasterPort = seen[0]!;
        if (newMasterPort === killedPort || !seen.every((port) => port === newMasterPort)) return false;
        return (await replicationInfo(newMasterPort)).get('role') === 'master';
      }, 'the sentinels promoting the replica');
      return { killedPort, newMasterPort };
    },
    async restart(port) {
      await serverOn(port).start();
      // Back as an empty master of its own until a sentinel turns it into a replica of the new one.
      await until(async () => {
        const master = await masterPort();
        if (master === port) return false;
        return replicasOf(await replicationInfo(master)).some((replica) => replica.get('port') === String(port) && replica.get('state') === 'online');
      }, `the server on ${port} coming back as an online replica`);
    },
    async replicated() {
      const master = await masterPort();
      const offset = Number((await replicationInfo(master)).get('master_repl_offset'));
      await until(async () => {
        const replicas = replicasOf(await replicationInfo(master));
        return replicas.length > 0 && replicas.every((replica) => replica.get('state') === 'online' && Number(replica.get('offset')) >= offset);
      }, 'the replicas catching up with the master');
    },
    close,
  };
}
