import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import type { ReportRecord } from '../../src/reports/record.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from './config.js';
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

/**
 * Requests a report through the admin API (`body` as POST /admin/reports takes it), once the
 * simulator's previous job is done (it runs one at a time, as Losant does), and waits until it is
 * delivered: its record and the email it sent.
 */
export async function deliverReport(
  parts: Pick<Pipeline, 'sim' | 'smtp' | 'service'>,
  body: Record<string, unknown>,
): Promise<{ record: ReportRecord; email: ParsedMail | undefined }> {
  const { sim, smtp, service } = parts;
  const previous = sim.jobs.at(-1);
  if (previous) await sim.waitForJob(previous.jobId, 20_000);
  const before = smtp.messages.length;
  const response = await request(service.url)
    .post('/admin/reports')
    .set({ Authorization: `Bearer ${TEST_ADMIN_TOKEN}` })
    .send(body);
  assert.equal(response.status, 202, JSON.stringify(response.body));
  const record = await service.waitForStatus(response.body.report.id as string, ['delivered', 'failed', 'unrecognized']);
  assert.equal(record.status, 'delivered', JSON.stringify(record.error));
  return { record, email: (await smtp.waitForMessages(before + 1))[before]?.parsed };
}
