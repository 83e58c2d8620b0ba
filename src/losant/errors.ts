import { AppError } from '../errors.js';

export const LOSANT_ACTIONS = [
  'get',
  'patch',
  'generateReport',
  'deviceCounts',
  'notebookMinuteCounts',
  'payloadCounts',
  'payloadCountsBreakdown',
  'historicalSummaries',
] as const;
export type LosantAction = (typeof LOSANT_ACTIONS)[number];

export type LosantErrorCode =
  | 'losant_rejected'
  | 'losant_unauthorized'
  | 'losant_not_found'
  | 'losant_busy'
  | 'losant_unavailable'
  | 'losant_unexpected_status'
  | 'losant_bad_response'
  | 'losant_unreachable'
  | 'losant_timeout'
  | 'losant_outcome_unknown';

/** Failures that the same request cannot fix by being sent again later. */
const PERMANENT: ReadonlySet<LosantErrorCode> = new Set([
  'losant_rejected',
  'losant_unauthorized',
  'losant_not_found',
  'losant_unexpected_status',
  'losant_bad_response',
]);

export interface LosantApiErrorInit {
  action: LosantAction;
  code: LosantErrorCode;
  message: string;
  /** Losant's HTTP status; undefined when no answer came (network error, timeout). */
  httpStatus?: number | undefined;
  /** `type` and `message` from Losant's `{type, message}` error body, when it sent one. */
  losantType?: string | undefined;
  losantMessage?: string | undefined;
  attempts: number;
  details?: unknown;
  cause?: unknown;
}

/** Every failure of a call to Losant that got past local validation. */
export class LosantApiError extends AppError {
  declare readonly code: LosantErrorCode;
  readonly action: LosantAction;
  readonly httpStatus: number | undefined;
  readonly losantType: string | undefined;
  readonly losantMessage: string | undefined;
  /** How many requests were sent (or tried) before giving up. */
  readonly attempts: number;

  constructor(init: LosantApiErrorInit) {
    // Retryable unless the same call cannot succeed later (bad request, credentials, instance id...).
    super(init.code, init.message, { retryable: !PERMANENT.has(init.code), details: init.details, cause: init.cause });
    this.action = init.action;
    this.httpStatus = init.httpStatus;
    this.losantType = init.losantType;
    this.losantMessage = init.losantMessage;
    this.attempts = init.attempts;
  }
}

/** Maps an HTTP error status from Losant to our code; retryability is decided by the client. */
export function codeForStatus(httpStatus: number): LosantErrorCode {
  if (httpStatus === 400) return 'losant_rejected';
  if (httpStatus === 401 || httpStatus === 403) return 'losant_unauthorized';
  if (httpStatus === 404) return 'losant_not_found';
  if (httpStatus === 429) return 'losant_busy';
  if (httpStatus >= 500) return 'losant_unavailable';
  return 'losant_unexpected_status';
}

/**
 * A request refused here, before anything was sent, naming every problem at once. The values came
 * from our caller (report options, configs, query ranges), so sending them again cannot help.
 */
export class LosantValidationError extends AppError {
  readonly action: LosantAction | 'createLosantClient';
  readonly problems: string[];

  constructor(action: LosantAction | 'createLosantClient', problems: string[]) {
    super('losant_request_invalid', `Losant ${action} request is invalid: ${problems.join('; ')}`, { retryable: false, details: { problems } });
    this.action = action;
    this.problems = problems;
  }
}
