import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { createLogger } from '../log.js';
import { INSTANCE_ID_PATTERN, reportOptionsSchema, type ReportOptions } from '../losant/request-schemas.js';
import { createApi } from './api.js';
import { ALL_SCOPES, createAuth, makeToken } from './auth.js';
import { reportCsvStream, reportRowCount, type RowRange } from './csv.js';
import { createDownloads } from './downloads.js';
import { createFaults } from './faults.js';
import { createInstanceStore, type StoredReportConfig } from './instance.js';
import { createJobRunner } from './jobs.js';
import { iso, lastFullBuckets } from './periods.js';
import { resolveReportOptions, type ResolvedReport } from './report-options.js';
import { createScheduler } from './schedules.js';
import { createSimServer } from './server.js';
import type { CallbackShape, SimJob, SimRequest, Simulator, SimulatorOptions } from './types.js';
import { createUsage } from './usage.js';
import { createWorld } from './world.js';

export type {
  ActionName,
  CallbackShape,
  FaultRule,
  Faults,
  SimCallbackOutcome,
  SimJob,
  SimRequest,
  Simulator,
  SimulatorOptions,
  ResolvedReport,
} from './types.js';
export { ACTION_NAMES, CALLBACK_SHAPES, DOWNLOAD_PARTS } from './types.js';
export { REPORT_COLUMNS } from './report-rows.js';

const DEFAULTS = { port: 0, host: '127.0.0.1', seed: 1, organizations: 6, reportDelayMs: 200, downloadTtlMs: 10 * 60_000 } as const;

/**
 * What a scheduled config covers when it fires: `periods` (default 1) whole UTC `dateGroupBy`
 * buckets (default day, as for generateReport) ending with the last full bucket before the run.
 */
function configReport(config: StoredReportConfig, at: Date): ResolvedReport {
  const dateGroupBy = config.dateGroupBy ?? 'day';
  const range = lastFullBuckets(at.getTime(), dateGroupBy, config.periods ?? 1);
  const report: ResolvedReport = {
    start: iso(range.start),
    end: iso(range.end),
    resourceGroupBy: config.resourceGroupBy ?? 'organization',
    dateGroupBy,
    includeSandbox: config.includeSandbox ?? false,
  };
  if (config.callbackUrl !== undefined) report.callbackUrl = config.callbackUrl;
  if (config.emails !== undefined) report.emails = config.emails;
  return report;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  if (options.instanceId !== undefined && !INSTANCE_ID_PATTERN.test(options.instanceId)) {
    throw new RangeError('instanceId must be 24 hexadecimal digits');
  }
  const seed = options.seed ?? DEFAULTS.seed;
  const host = options.host ?? DEFAULTS.host;
  const reportDelayMs = options.reportDelayMs ?? DEFAULTS.reportDelayMs;
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? createLogger({ name: 'losant-sim', level: 'silent' });
  const world = createWorld({
    seed,
    organizations: options.organizations ?? DEFAULTS.organizations,
    ...(options.organizationNames ? { organizationNames: options.organizationNames } : {}),
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
  });
  const usage = createUsage(seed);
  const auth = createAuth();
  const token = options.token ?? makeToken(ALL_SCOPES);
  auth.addToken(token, [...ALL_SCOPES]);
  const faults = createFaults(options.faults);
  let shape: CallbackShape = options.callbackShape ?? 'json-url';
  let url = '';
  const stop = new AbortController();
  const dispatcher = new Agent({ connectTimeout: 10_000, keepAliveTimeout: 1_000 });
  const requests: SimRequest[] = [];

  const csv = (report: ResolvedReport, range?: RowRange) => reportCsvStream(world, usage, report, range);
  const downloads = createDownloads({ now, ttlMs: options.downloadTtlMs ?? DEFAULTS.downloadTtlMs, baseUrl: () => url, faults, csv });
  const jobs = createJobRunner({
    now,
    logger,
    reportDelayMs,
    faults,
    downloads,
    dispatcher,
    shape: () => shape,
    rowCount: (report) => reportRowCount(world, report),
    csv,
  });
  const instance = createInstanceStore({ seed, instanceId: world.instanceId, now, newerReportConfigFields: options.newerReportConfigFields ?? [] });

  const runConfig = (config: StoredReportConfig, at: Date): SimJob => {
    const job = jobs.create(configReport(config, at), 'config', { id: config.id, firedAt: at });
    jobs.start(job);
    logger.info({ jobId: job.jobId, configId: config.id }, 'sim: report config fired');
    return job;
  };
  const scheduler = createScheduler<StoredReportConfig>({ now, onFire: (config, at) => void runConfig(config, at) });
  const api = createApi({ world, usage, instance, jobs, faults, now, onReportConfigs: () => scheduler.replace(instance.get().reportConfigs) });
  const server = createSimServer({
    instanceId: world.instanceId,
    auth,
    faults,
    downloads,
    api,
    record: (r) => requests.push(r),
    now,
    logger,
    signal: stop.signal,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULTS.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // as: a server listening on TCP gives an AddressInfo (a string only for a pipe).
  const address = server.address() as AddressInfo;
  url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url, instanceId: world.instanceId }, 'sim: listening');

  let closing: Promise<void> | undefined;
  const maxJobMs = () => reportDelayMs + faults.current.callbackDelayMs + 30_000;

  return {
    url,
    instanceId: world.instanceId,
    token,
    requests,
    jobs: jobs.jobs,
    addToken: (extra, scopes) => auth.addToken(extra, scopes),
    setCallbackShape: (next) => {
      shape = next;
    },
    setFaults: (next) => faults.set(next),
    injectFaults: (rule) => faults.inject(rule),
    waitForJob: (jobId, timeoutMs = 10_000) => jobs.waitFor(jobId, timeoutMs),
    triggerReportConfig: async (configId) => {
      const config = instance.reportConfig(configId);
      if (config === undefined) throw new Error(`No report config ${configId}`);
      return jobs.waitFor(runConfig(config, now()).jobId, maxJobMs());
    },
    buildReportCsv: (reportOptions: ReportOptions = {}) => csv(resolveReportOptions(reportOptionsSchema.parse(reportOptions), now())),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        stop.abort();
        scheduler.close();
        jobs.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => dispatcher.destroy());
      return closing;
    },
  };
}
