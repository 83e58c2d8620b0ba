import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { startService, type RunningService } from './service.js';

export interface AdminService {
  sim: Simulator;
  service: RunningService;
  close(): Promise<void>;
}

/**
 * The web side alone, pointed at a simulator that never calls back (the test calls back itself
 * when it needs to): what tests of the admin API start.
 */
export async function startAdminService(name: string): Promise<AdminService> {
  const sim = await startSimulator({ reportDelayMs: 10, faults: { noCallback: true } });
  const service = await startService({
    worker: false,
    name,
    env: {
      LOSANT_API_URL: sim.url,
      LOSANT_API_TOKEN: sim.token,
      LOSANT_INSTANCE_ID: sim.instanceId,
      LOSANT_MAX_RETRIES: '1',
      REPORT_EMAIL_TO: 'ops@example.com',
    },
  });
  return {
    sim,
    service,
    async close() {
      await service.stop();
      await sim.close();
    },
  };
}
