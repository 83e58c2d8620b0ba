export {
  createLosantClient,
  LOSANT_ACCEPT_VERSION,
  type LosantClient,
  type LosantClientOptions,
  type Timestamp,
  type TimeRange,
  type PayloadCountsQuery,
  type PayloadCountsBreakdownQuery,
  type HistoricalSummariesQuery,
  type GenerateReportOptions,
  type GenerateReportResult,
} from './client.js';
export {
  LosantApiError,
  LosantValidationError,
  LOSANT_ACTIONS,
  codeForStatus,
  type LosantAction,
  type LosantErrorCode,
  type LosantApiErrorInit,
} from './errors.js';
export { backoffDelay, backoffCeiling, type BackoffOptions } from '../backoff.js';
export { parseRetryAfter, retryDelay } from './retry.js';
export * from './response-schemas.js';
export * from './request-schemas.js';
