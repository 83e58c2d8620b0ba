import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteKeys, REDIS_URL, testRedis } from '../../helpers/redis.js';
import { ensureBuilt } from './build.js';
import { freePort } from './ports.js';
import { msg, serviceEnv, spawnService, type ServiceProcess } from './processes.js';

/**
 * Web and worker processes as on separate hosts: the compiled entry points, one Redis prefix,
 * each process its own port and DATA_DIR, sharing only what `shared` names (the archive, the
 * SMTP server, limits). PUBLIC_URL is the first web process's, as a load balancer's would be.
 */

export interface FleetOptions {
  prefix: string;
  smtpUrl: string;
  /** Variables every process gets (ARCHIVE_URL and its credentials, timeouts, concurrency). */
  shared: Record<string, string>;
}

export interface Fleet {
  readonly webs: readonly ServiceProcess[];
  readonly webUrls: readonly string[];
  /** The worker processes now running, by slot (a restarted worker takes its slot back). */
  readonly workers: readonly ServiceProcess[];
  /** Every process's DATA_DIR, to show nothing but scratch is left there. */
  readonly dataDirs: readonly string[];
  startWeb(): Promise<ServiceProcess>;
  startWorker(): Promise<ServiceProcess>;
  /** SIGKILLs the worker in `slot` and starts a new one there, with the same DATA_DIR ("the host reboots"). */
  restartWorker(slot: number): Promise<ServiceProcess>;
  close(): Promise<void>;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  await ensureBuilt();
  const webs: ServiceProcess[] = [];
  const webUrls: string[] = [];
  const workers: ServiceProcess[] = [];
  const workerDirs: string[] = [];
  const dataDirs: string[] = [];
  const everyProcess: ServiceProcess[] = [];
  let publicUrl: string | null = null;

  const envFor = (port: number, dataDir: string) => {
    const env = serviceEnv({ port, redisUrl: REDIS_URL, prefix: options.prefix, smtpUrl: options.smtpUrl, dataDir, extra: options.shared });
    return { ...env, PUBLIC_URL: publicUrl ?? env.PUBLIC_URL! };
  };
  const newDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-relay-fleet-'));
    dataDirs.push(dir);
    return dir;
  };
  const spawnWorker = async (dataDir: string, name: string) => {
    // A worker listens on no port; its health server is off unless set.
    const child = spawnService('worker', envFor(await freePort(), dataDir), name);
    everyProcess.push(child);
    await child.waitForLog(msg('worker consuming report jobs'), 30_000);
    return child;
  };

  return {
    webs,
    webUrls,
    workers,
    dataDirs,
    async startWeb() {
      const port = await freePort();
      publicUrl ??= `http://127.0.0.1:${port}`;
      const child = spawnService('web', envFor(port, newDataDir()), `web-${webs.length}`);
      everyProcess.push(child);
      webs.push(child);
      webUrls.push(`http://127.0.0.1:${port}`);
      await child.waitForLog(msg('web listening'), 30_000);
      return child;
    },
    async startWorker() {
      const dir = newDataDir();
      workerDirs.push(dir);
      const child = await spawnWorker(dir, `worker-${workers.length}`);
      workers.push(child);
      return child;
    },
    async restartWorker(slot) {
      const old = workers[slot];
      if (old === undefined) throw new Error(`no worker in slot ${slot}`);
      await old.kill();
      const child = await spawnWorker(workerDirs[slot]!, `worker-${slot}-restarted`);
      workers[slot] = child;
      return child;
    },
    async close() {
      await Promise.all(everyProcess.map((child) => child.kill()));
      for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
      const redis = testRedis();
      await deleteKeys(redis, options.prefix);
      redis.disconnect();
    },
  };
}
