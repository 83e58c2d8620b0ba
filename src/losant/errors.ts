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

/**
 * What our own callers get for each failure. Only a 400 is the caller's fault (they chose the
 * report options or configs); every other failure is between this service and Losant, so it is a
 * 502 (Losant misbehaved or our credentials/instance id are wrong) or a 503 (try again later).
 * A 404 is a 502 and not a 404: the instance id comes from our configuration, not from the
 * caller, so "not found" means this service is misconfigured.
 */
const STATUS_OF: Record<LosantErrorCode, number> = {
  losant_rejected: 400,
  losant_unauthorized: 502,
  losant_not_found: 502,
  losant_busy: 503,
  losant_unavailable: 502,
  losant_unexpected_status: 502,
  losant_bad_response: 502,
  losant_unreachable: 503,
  losant_timeout: 504,
  losant_outcome_unknown: 504,
};

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
  /** True when retrying the same call later cannot help (bad request, credentials, instance id...). */
  readonly permanent: boolean;

  constructor(init: LosantApiErrorInit) {
    super(init.code, STATUS_OF[init.code], init.message, { details: init.details, cause: init.cause });
    this.action = init.action;
    this.httpStatus = init.httpStatus;
    this.losantType = init.losantType;
    this.losantMessage = init.losantMessage;
    this.attempts = init.attempts;
    this.permanent = PERMANENT.has(init.code);
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
 * A request refused here, before anything was sent, naming every problem at once. Status 400
 * because the values came from our caller (report options, configs, query ranges).
 */
export class LosantValidationError extends AppError {
  readonly action: LosantAction | 'createLosantClient';
  readonly problems: string[];

  constructor(action: LosantAction | 'createLosantClient', problems: string[]) {
    super('losant_request_invalid', 400, `Losant ${action} request is invalid: ${problems.join('; ')}`, { details: { problems } });
    this.action = action;
    this.problems = problems;
  }
}
