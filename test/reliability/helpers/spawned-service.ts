import { rmSync } from 'node:fs';
import { startSimulator, type Simulator } from '../../../src/sim/index.js';
import { deleteKeys, REDIS_URL, testRedis } from '../../helpers/redis.js';
import { ensureBuilt } from './build.js';
import { startCsvServer, type CsvServer } from './csv-server.js';
import { freePort } from './ports.js';
import { msg, serviceEnv, spawnService, type ServiceProcess } from './processes.js';
import { readAll } from './reports.js';

/**
 * The compiled service as child processes (web and worker, started on demand) with what they
 * talk to: a simulator that never calls back (the test calls back itself, when and how it likes)
 * and a CSV server whose downloads can be stalled. Everything is torn down by close(): children
 * killed, servers closed, the data folder and the Redis keys of `prefix` removed.
 */

export interface SpawnedServiceOptions {
  /** Redis key prefix, unique to the test file. */
  prefix: string;
  /** The period of the simulator's report that the CSV server serves. */
  csvPeriod: { start: string; end: string };
  smtpUrl?: string;
  /** Further variables for the children (limits, timeouts). */
  extra: Record<string, string>;
}

export interface SpawnedService {
  readonly sim: Simulator;
  readonly csv: CsvServer;
  /** The web process's base URL (the port is chosen before it starts). */
  readonly baseUrl: string;
  /** DATA_DIR of the children: a fresh temporary folder. */
  readonly dataDir: string;
  /** Spawns a web process and waits until it listens. */
  startWeb(): Promise<ServiceProcess>;
  /** Spawns a worker and waits until it consumes report jobs. */
  startWorker(): Promise<ServiceProcess>;
  close(): Promise<void>;
}

export async function startSpawnedService(options: SpawnedServiceOptions): Promise<SpawnedService> {
  await ensureBuilt();
  const sim = await startSimulator({ reportDelayMs: 10, faults: { noCallback: true } });
  let csv: CsvServer;
  let port: number;
  try {
    csv = await startCsvServer(await readAll(sim.buildReportCsv(options.csvPeriod)));
    port = await freePort();
  } catch (error) {
    // A simulator left open would keep the test process alive after the failure.
    await sim.close();
    throw error;
  }
  const env = serviceEnv({
    port,
    redisUrl: REDIS_URL,
    prefix: options.prefix,
    losantUrl: sim.url,
    losantToken: sim.token,
    instanceId: sim.instanceId,
    ...(options.smtpUrl ? { smtpUrl: options.smtpUrl } : {}),
    extra: options.extra,
  });
  const children: ServiceProcess[] = [];

  // Named after the entry point and the order of start, so a failure says which child it was.
  const spawn = (entry: 'web' | 'worker'): ServiceProcess => {
    const child = spawnService(entry, env, `${entry}-${children.length}`);
    children.push(child);
    return child;
  };

  return {
    sim,
    csv,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir: env.DATA_DIR!,
    async startWeb() {
      const child = spawn('web');
      await child.waitForLog(msg('web listening'));
      return child;
    },
    async startWorker() {
      const child = spawn('worker');
      await child.waitForLog(msg('worker consuming report jobs'));
      return child;
    },
    async close() {
      await Promise.all(children.map((child) => child.kill()));
      await csv.close();
      await sim.close();
      rmSync(env.DATA_DIR!, { recursive: true, force: true });
      const redis = testRedis();
      await deleteKeys(redis, options.prefix);
      redis.disconnect();
    },
  };
}
