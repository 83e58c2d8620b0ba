import { AppError } from '../errors.js';

/** Too many requests (or failed authentications) from one client this minute. */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('rate_limited', `Too many requests; try again in ${retryAfterSeconds} s`, { retryable: true, details: { retryAfterSeconds } });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
