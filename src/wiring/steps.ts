import { createReadStream } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LookupFunction } from 'node:net';
import type { RedisClient } from '../redis-client.js';
import { replicaWaitOn } from '../redis-replica-wait.js';
import { neutralizeCsv } from '../csv/neutralize.js';
import { summarizeReportCsv } from '../csv/summarize-stream.js';
import { summarizeWithAttachment } from '../csv/summarize-with-attachment.js';
import type { AlertOnce } from '../alerts/alert-once.js';
import type { AlertChannels } from '../alerts/send-alerts.js';
import { createWebhookSender } from '../alerts/webhook-sender.js';
import { webhookKey } from '../alerts/webhook-signature.js';
import { createAddressPolicy } from '../download/address-policy.js';
import { createGuardedAgent } from '../download/guarded-connector.js';
import { findChartFont } from '../delivery/chart-font.js';
import { createMailer, type Mailer } from '../delivery/mailer.js';
import { DEFAULT_CHART_OPTIONS, drawReportChart } from '../delivery/report-chart.js';
import { createDownloader, type Downloader } from '../download/downloader.js';
import type { StepDeps } from '../jobs/step-deps.js';
import { writeFileAtomically } from '../files/atomic-file.js';
import type { SummaryOptions } from '../summary/accumulator.js';
import { compareSummaries } from '../summary/compare.js';
import type { ConfigWith } from '../config.js';
import type { ArchiveTarget } from '../delivery/archive.js';
import type { Logger } from '../log.js';
import { countedDownload, countedMailer } from '../metrics/counted-parts.js';
import { NO_METRICS, type ServiceMetrics } from '../metrics/metrics.js';
import type { EnqueueRun } from '../reports/enqueue-run.js';
import type { ReportProgress } from '../reports/progress.js';
import type { ReportStore } from '../reports/store.js';
import type { ResourceFigures } from '../summary/types.js';
import type { UsageReadModel } from '../usage/read-model.js';
import { computeInsights } from '../insights/compute.js';
import type { InstanceFacts } from '../insights/facts.js';
import { createInstanceFacts } from './instance-facts.js';

export interface StepOverrides {
  /** A stub resolver for downloads (tests). */
  lookup?: LookupFunction;
  /** Exact addresses downloads may reach although they are private (tests: a stub-resolved name on loopback). */
  allowedPrivateAddresses?: string[];
  downloader?: Downloader;
  mailer?: Mailer;
  drawChart?: StepDeps['drawChart'];
  now?: () => Date;
  /** Summary bounds other than the defaults (tests: a resource cap a small report reaches). */
  summaryOptions?: SummaryOptions;
  /** The instance's facts for insights in place of those INSIGHTS_LOSANT_API_TOKEN would give (null: none). */
  instanceFacts?: InstanceFacts | null;
}

/** The report job's parts: downloader, CSV summary, archive, mailer. */
export function createStepParts(
  parts: {
    config: ConfigWith<'worker'>;
    logger: Logger;
    store: ReportStore;
    /** The connection `store` writes on, for REDIS_WAIT_REPLICAS; absent: the email step does not wait. */
    redis?: RedisClient;
    usage: UsageReadModel;
    enqueue: EnqueueRun;
    archive: ArchiveTarget;
    metrics?: ServiceMetrics;
    /** Where the download and parse steps record their progress. */
    progress?: (reportId: string, progress: ReportProgress) => Promise<void>;
    /** Where "once per organization, metric and period" is kept for alerts. */
    alertOnce?: AlertOnce;
  },
  overrides: StepOverrides = {},
) {
  const { logger, store, usage, enqueue, archive } = parts;
  const metrics = parts.metrics ?? NO_METRICS;
  const config = parts.config.worker;
  // On the connection the store writes on (src/service.ts gives both the same): WAIT must go there.
  const replicas = parts.redis === undefined ? null : replicaWaitOn(parts.redis, parts.config.replicaWait, parts.config.redis.prefix);
  const dataDir = resolve(parts.config.dataDir);
  const downloader =
    overrides.downloader ??
    createDownloader({
      allowedHosts: [...config.download.allowedHosts],
      allowedPorts: config.download.allowedPorts === '*' ? '*' : [...config.download.allowedPorts],
      allowPrivateNetworks: config.download.allowPrivateNetworks,
      maxBytes: config.download.maxBytes,
      connectTimeoutMs: config.download.connectTimeoutMs,
      idleTimeoutMs: config.download.idleTimeoutMs,
      totalTimeoutMs: config.download.totalTimeoutMs,
      logger,
      ...(overrides.lookup ? { lookup: overrides.lookup } : {}),
      ...(overrides.allowedPrivateAddresses ? { allowedPrivateAddresses: overrides.allowedPrivateAddresses } : {}),
    });
  const mailer =
    overrides.mailer ??
    createMailer({
      smtpUrl: config.mail.smtpUrl,
      outboxDir: join(dataDir, 'outbox'),
      timeoutMs: config.mail.timeoutMs,
      requireTls: config.mail.requireTls,
      logger,
    });
  const csvLimits = { maxColumns: config.csv.maxColumns, maxFieldBytes: config.csv.maxFieldBytes };
  const summaryOptions = overrides.summaryOptions ?? {};
  const now = overrides.now ?? (() => new Date());
  // Read-only Losant access for the insights: the worker's own token, never the web's.
  const instanceFacts =
    overrides.instanceFacts !== undefined
      ? overrides.instanceFacts
      : config.insights.losant === null
        ? null
        : createInstanceFacts({ losant: config.insights.losant, instanceId: parts.config.instanceId, logger, metrics });

  // Looked up once: without it the chart is drawn without text (see chart-font.ts).
  const chartFont = findChartFont();
  if (chartFont === null) logger.warn('no font for the email chart was found; it is drawn without text');
  const deps: StepDeps = {
    store,
    usage,
    enqueue,
    download: countedDownload((url, destination, options) => downloader.download(url, destination, options), metrics),
    ...(parts.progress ? { progress: parts.progress } : {}),
    summarize: async (input, attachment, tally) => {
      // The per-resource figures come out of the same pass, for the resources' history.
      let resources: ResourceFigures = { columns: [], resources: [], leftOut: 0 };
      const options = { ...summaryOptions, tally, onResourceFigures: (figures: ResourceFigures) => (resources = figures) };
      const summary = await (attachment === undefined
        ? summarizeReportCsv(input, csvLimits, options)
        : summarizeWithAttachment(input, csvLimits, attachment, options));
      return { summary, resources };
    },
    compare: compareSummaries,
    insights: ({ summary, resources, includeSandbox }) =>
      computeInsights(
        {
          summary,
          resources,
          includeSandbox,
          facts: instanceFacts,
          factsMissingReason: 'Losant is not configured on the worker (INSIGHTS_LOSANT_API_TOKEN is not set)',
          now: now(),
        },
        { warningPercent: config.insights.warningPercent, tolerance: config.insights.tolerance },
      ),
    // Through a temporary file: a half-written attachment must never pass for a finished one.
    neutralize: (source, destination) => writeFileAtomically(destination, neutralizeCsv(createReadStream(source), csvLimits)).then(() => undefined),
    maxDownloadBytes: config.download.maxBytes,
    callbackMaxBytes: parts.config.callbackMaxBytes,
    ...(replicas ? { replicas } : {}),
    archive,
    mailer: countedMailer(mailer, metrics),
    workDir: join(dataDir, 'work'),
    mail: {
      from: config.mail.from,
      gzipAboveBytes: config.mail.gzipAboveBytes,
      maxAttachmentBytes: config.mail.maxAttachmentBytes,
      archiveLinkSeconds: config.mail.archiveLinkSeconds,
    },
    alerts: parts.alertOnce ? alertParts(config, parts.alertOnce, mailer, overrides.allowedPrivateAddresses) : null,
    drawChart: overrides.drawChart ?? ((summary) => drawReportChart(summary, { ...DEFAULT_CHART_OPTIONS, font: chartFont })),
    instanceId: parts.config.instanceId,
    logger,
    now,
    metrics,
  };
  return {
    deps,
    downloader,
    mailer,
    async close(): Promise<void> {
      mailer.close();
      await downloader.close();
    },
  };
}
export type StepParts = ReturnType<typeof createStepParts>;

/** The alert channels the settings ask for; null when none is configured. */
function alertParts(
  config: ConfigWith<'worker'>['worker'],
  once: AlertOnce,
  mailer: Mailer,
  allowedAddresses: string[] | undefined,
): NonNullable<StepDeps['alerts']> | null {
  const { alerts, mail } = config;
  const webhook = alerts.webhook
    ? createWebhookSender({
        url: new URL(alerts.webhook.url),
        key: webhookKey(alerts.webhook.secret),
        // The downloads' guard: a receiver on a private address is reached only when allowed.
        dispatcher: createGuardedAgent({
          addressPolicy: createAddressPolicy({ allowPrivateNetworks: alerts.webhook.allowPrivateNetworks, ...(allowedAddresses ? { allowedAddresses } : {}) }),
          connectTimeoutMs: config.download.connectTimeoutMs,
          idleTimeoutMs: config.download.idleTimeoutMs,
        }),
        attempts: alerts.webhook.attempts,
        backoffMs: 1_000,
        backoffMaxMs: 60_000,
        timeoutMs: config.download.idleTimeoutMs,
      })
    : null;
  const channels: AlertChannels = { webhook, email: alerts.emailTo.length > 0 ? { mailer, from: mail.from, to: alerts.emailTo } : null };
  return channels.webhook === null && channels.email === null ? null : { once, channels, kinds: alerts.kinds };
}
