import type { RedisClient } from '../redis-client.js';
import type { ArchiveTarget } from '../delivery/archive.js';
import type { Logger } from '../log.js';
import type { ProgressStore } from '../reports/progress.js';
import type { RequestReport } from '../reports/request-report.js';
import type { RetryReport } from '../reports/retry-report.js';
import type { ReportStore } from '../reports/store.js';
import type { MissedRunService } from '../schedules/missed-run-service.js';
import type { ScheduleService } from '../schedules/schedule-service.js';
import type { Trends } from '../trends/index.js';
import type { UsageReadModel } from '../usage/read-model.js';

/**
 * What dashboard pages may use: the same services the admin API uses, built once in the
 * composition root (src/wiring/web.ts). Pages read and act through these, never through Redis
 * keys of their own; `redis` is there for what has no service yet.
 */
export interface UiDeps {
  logger: Logger;
  redis: RedisClient;
  store: ReportStore;
  /** Each organization's and application's figures across reports, and the instance's months (src/usage). */
  usage: UsageReadModel;
  schedules: ScheduleService;
  /** Organizations' months from reports and Losant's historicalSummaries: the backfill, one organization's trend, the movers. */
  trends: Pick<Trends, 'backfill' | 'organizationTrend' | 'movers'>;
  missedRuns: MissedRunService;
  requestReport: RequestReport;
  retryReport: RetryReport;
  /** Archived CSVs and callback bodies, read back for downloads. */
  archive: Pick<ArchiveTarget, 'openRead'>;
  /** How far the worker has come with a report's CSV (download, parse). */
  progress: Pick<ProgressStore, 'read'>;
  settings: {
    /** PUBLIC_URL: the origin the dashboard's forms must come from. */
    publicUrl: string;
    redisPrefix: string;
    /** CALLBACK_OVERDUE_MS: how long a report waits for its callback before it is overdue. */
    callbackOverdueMs: number;
  };
}

/** What guards the dashboard: not for pages. */
export interface UiSecurity {
  adminToken: string;
  sessionIdleMs: number;
  sessionMaxMs: number;
  signInFailuresPerMinute: number;
}
