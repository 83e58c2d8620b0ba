import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.js';
import { startService, type RunningService } from './service.js';
import { startTestSmtpServer, type TestSmtpServer } from './smtp.js';

/** The settings that point a service at this simulator (as Losant) and this SMTP sink. */
export function pipelineEnv(sim: Simulator, smtp: TestSmtpServer): Record<string, string> {
  return { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, SMTP_URL: smtp.url };
}

export interface Pipeline {
  sim: Simulator;
  smtp: TestSmtpServer;
  /** Web and worker in this process, on their own key prefix, data folder and port (startService). */
  service: RunningService;
  /** Stops the service, then the sink, then the simulator. */
  stop(): Promise<void>;
}

/**
 * A report's whole path in one process: the Losant simulator, an SMTP sink and the service
 * between them. `env` adds settings (it is given the simulator, for settings that name it).
 */
export async function startPipeline(options: { name: string; sim?: SimulatorOptions; env?: (sim: Simulator) => Record<string, string> }): Promise<Pipeline> {
  const sim = await startSimulator({ reportDelayMs: 20, ...options.sim });
  let smtp: TestSmtpServer | null = null;
  let service: RunningService;
  try {
    smtp = await startTestSmtpServer();
    service = await startService({ name: options.name, env: { ...pipelineEnv(sim, smtp), ...options.env?.(sim) } });
  } catch (error) {
    await smtp?.close();
    await sim.close();
    throw error;
  }
  return {
    sim,
    smtp,
    service,
    async stop() {
      await service.stop();
      await smtp.close();
      await sim.close();
    },
  };
}
