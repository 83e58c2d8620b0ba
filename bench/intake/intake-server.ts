import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerProcess, type ServerProcess } from '../lib/server-process.js';
import { benchServiceEnv } from '../lib/service-env.js';
import type { IntakeSettings, IntakeSide } from './run-intake.js';

const baselineScript = fileURLToPath(new URL('./baseline-server.ts', import.meta.url));
const storeOnlyScript = fileURLToPath(new URL('./store-only-server.ts', import.meta.url));

/** Runs the service, src/web.ts, rather than a bare handler. */
export const isService = (side: IntakeSide) => side === 'subject' || side === 'scraped';

/** The server of one side: src/web.ts (service sides) or a bare handler, in its own process on `port`. */
export function startIntakeServer(side: IntakeSide, port: number, prefix: string, settings: IntakeSettings, profileName: string): Promise<ServerProcess> {
  const base = `http://127.0.0.1:${port}`;
  const nodeArgs = settings.serverNodeArgs.map((flag) => flag.replace('{run}', profileName));
  if (!isService(side))
    return startServerProcess(side === 'baseline' ? baselineScript : storeOnlyScript, [String(port), settings.redisUrl, prefix], {
      cwd: settings.repoDir,
      readyUrl: `${base}/healthz`,
      nodeArgs,
      env: { ...process.env, NODE_ENV: 'production' },
    });
  return startServerProcess(join(settings.repoDir, 'src/web.ts'), [], {
    cwd: settings.repoDir,
    readyUrl: `${base}/healthz`,
    nodeArgs,
    env: benchServiceEnv({
      port,
      prefix,
      redisUrl: settings.redisUrl,
      dataDir: join(settings.tmpDir, 'data'),
      extra: { ...(settings.metricsToken === undefined ? {} : { METRICS_TOKEN: settings.metricsToken }), ...settings.serviceEnv },
    }),
  });
}

/** Several server processes seen as one: CPU summed, stopped together. */
export function combined(servers: readonly ServerProcess[]): ServerProcess {
  return {
    pid: servers[0]!.pid,
    cpuSeconds() {
      const each = servers.map((server) => server.cpuSeconds());
      return each.includes(null) ? null : each.reduce<number>((total, seconds) => total + (seconds ?? 0), 0);
    },
    async stop(graceMs) {
      await Promise.all(servers.map((server) => server.stop(graceMs)));
    },
  };
}
