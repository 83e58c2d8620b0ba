import { mkdir, rename, rm } from 'node:fs/promises';
import type { LookupFunction } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import { backoffDelay } from '../backoff.js';
import type { Logger } from '../log.js';
import { createAddressPolicy } from './address-policy.js';
import { isGzipFile, parseContentEncoding, writeBody, type BodyResult } from './body-writer.js';
import { startDeadline, type Deadline } from './deadline.js';
import { DownloadError } from './errors.js';
import { toDownloadError } from './failure.js';
import { createGuardedAgent } from './guarded-connector.js';
import { comparableHost, createHostAllowlist } from './host-allowlist.js';
import { createTargetPolicy, describeUrl, parseDownloadUrl } from './target-policy.js';
import { errorCode } from '../errors.js';

export interface DownloaderOptions {
  /** Exact hosts or "*.example.com" (subdomains only); case-insensitive; IDN compared as punycode. */
  allowedHosts: string[];
  /** Ports a URL may use; a URL without a port counts as 443 (https) or 80 (http). */
  allowedPorts: number[] | '*';
  /** Allow private, loopback and other special-purpose addresses; only for local use. */
  allowPrivateNetworks: boolean;
  /**
   * Exact IP addresses allowed even when allowPrivateNetworks is false (every other private
   * address stays refused). For one fixed local endpoint, and for tests that resolve an
   * allowed name to loopback with a stub `lookup`.
   */
  allowedPrivateAddresses?: string[];
  /** Cap on decoded bytes written; also caps the bytes received. */
  maxBytes: number;
  connectTimeoutMs: number;
  /** Longest wait for the response headers and between two chunks of the body. */
  idleTimeoutMs: number;
  /** Cap on the whole call: every attempt, redirect and backoff included. */
  totalTimeoutMs: number;
  /** Redirects followed per attempt; default 5. */
  maxRedirects?: number;
  /** Extra attempts within one call after a transient failure; default 2. */
  retries?: number;
  /** First backoff ceiling, doubled on each retry (full jitter, at most 30 s); default 500. */
  retryBaseDelayMs?: number;
  /** dns.lookup-compatible resolver; tests pass a stub. */
  lookup?: LookupFunction;
  logger?: Logger;
}

export interface DownloadResult {
  /** Decoded bytes written to the destination. */
  bytes: number;
  /** SHA-256 (hex) of the decoded bytes. */
  sha256: string;
  contentType: string | null;
  /** The host that finally served the file, after redirects. */
  finalHost: string;
  attempts: number;
}

/** What one download call may add to the downloader's own settings. */
export interface DownloadCallOptions {
  signal?: AbortSignal | undefined;
  maxBytes?: number | undefined;
  logger?: Logger | undefined;
  onBytes?: ((bytes: number) => void) | undefined;
}

export interface Downloader {
  /**
   * Downloads `url` to `destinationPath` (through `destinationPath + '.part'`, renamed when
   * complete). Throws a DownloadError; `retryable` says whether trying again later can help.
   */
  /**
   * `maxBytes`: a lower limit than DOWNLOAD_MAX_BYTES for this file (what is left of it for a report's later parts).
   * Each call's `options`: `signal` aborts it; `maxBytes` is a lower limit than DOWNLOAD_MAX_BYTES
   * for this file (what is left of it for a report's later parts); `logger` takes this download's
   * lines instead of the downloader's own (a job's, naming its report); `onBytes` is told the size of
   * each chunk written (a failed attempt's bytes too: its retry starts the file again).
   */
  download(url: string, destinationPath: string, options?: DownloadCallOptions): Promise<DownloadResult>;
  /** Closes the connection pool; waits for downloads in progress. */
  close(): Promise<void>;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_BACKOFF_MS = 30_000;
// A compressed body may be slightly larger than what it decodes to (stored blocks, headers).
const CODING_OVERHEAD_BYTES = 64 * 1024;

const REQUEST_HEADERS = {
  accept: 'text/csv, application/gzip;q=0.9, */*;q=0.5',
  'accept-encoding': 'gzip, deflate, br',
  'user-agent': 'report-relay',
};

interface AttemptResult extends BodyResult {
  contentType: string | null;
  finalHost: string;
}

function validateOptions(options: DownloaderOptions): void {
  const problems: string[] = [];
  const positive = (name: string, value: unknown): void => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) problems.push(`${name} must be a positive whole number`);
  };
  const atLeastZero = (name: string, value: unknown): void => {
    if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)) {
      problems.push(`${name} must be a whole number, 0 or more`);
    }
  };
  positive('maxBytes', options.maxBytes);
  positive('connectTimeoutMs', options.connectTimeoutMs);
  positive('idleTimeoutMs', options.idleTimeoutMs);
  positive('totalTimeoutMs', options.totalTimeoutMs);
  atLeastZero('maxRedirects', options.maxRedirects);
  atLeastZero('retries', options.retries);
  atLeastZero('retryBaseDelayMs', options.retryBaseDelayMs);
  if (
    options.allowedPorts !== '*' &&
    (!Array.isArray(options.allowedPorts) || options.allowedPorts.some((port) => !Number.isInteger(port) || port < 1 || port > 65535))
  ) {
    problems.push('allowedPorts must be "*" or a list of ports from 1 to 65535');
  }
  if (problems.length > 0) throw new TypeError(`Invalid downloader options: ${problems.join('; ')}`);
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

function statusError(status: number): DownloadError {
  if (status === 403 || status === 410) {
    return new DownloadError('download_link_expired_or_forbidden', `the download link has expired or is forbidden (HTTP ${status})`, {
      httpStatus: status,
    });
  }
  if (status === 404) return new DownloadError('download_not_found', 'the download link was not found (HTTP 404)', { httpStatus: status });
  if (status === 429 || status >= 500) {
    return new DownloadError('download_unavailable', `the download server is unavailable (HTTP ${status})`, { httpStatus: status });
  }
  return new DownloadError('download_http_status', `the download server answered HTTP ${status}`, { httpStatus: status });
}

async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  // An error page or redirect body is not wanted; a huge one is cut off and its socket closed.
  await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
}

/** Closes the connection under a body that was refused or failed midway; a no-op once it has ended. */
function abandon(body: Dispatcher.ResponseData['body']): void {
  if (body.readableEnded || body.destroyed) return;
  // Destroying an unread body makes undici emit an "aborted" error that nobody else listens for.
  body.on('error', () => undefined);
  body.destroy();
}

export function createDownloader(options: DownloaderOptions): Downloader {
  validateOptions(options);
  const maxRedirects = options.maxRedirects ?? 5;
  const retries = options.retries ?? 2;
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 500;

  const addressPolicy = createAddressPolicy({
    allowPrivateNetworks: options.allowPrivateNetworks,
    allowedAddresses: options.allowedPrivateAddresses ?? [],
  });
  const targets = createTargetPolicy({
    allowlist: createHostAllowlist(options.allowedHosts),
    allowedPorts: options.allowedPorts,
    addressPolicy,
  });
  const agent = createGuardedAgent({
    addressPolicy,
    connectTimeoutMs: options.connectTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    lookup: options.lookup,
  });

  let closing: Promise<void> | undefined;
  const limitName = (maxBytes: number) => (maxBytes < options.maxBytes ? 'DOWNLOAD_MAX_BYTES, less the parts already downloaded' : 'DOWNLOAD_MAX_BYTES');

  /** One attempt: follows redirects by hand, re-checking every hop, and streams the body to `partPath`. */
  async function attempt(
    start: URL,
    partPath: string,
    signal: AbortSignal,
    maxBytes: number,
    logger: Logger | undefined,
    onBytes: ((bytes: number) => void) | undefined,
  ): Promise<AttemptResult> {
    let current = start;
    for (let hop = 0; ; hop++) {
      const response = await request(current, { dispatcher: agent, method: 'GET', headers: REQUEST_HEADERS, signal });
      const status = response.statusCode;

      if (REDIRECT_STATUSES.has(status)) {
        await discard(response.body);
        if (hop >= maxRedirects) {
          throw new DownloadError('download_too_many_redirects', `the download was redirected more than ${maxRedirects} times`, {
            httpStatus: status,
          });
        }
        const location = header(response.headers, 'location');
        let next: URL;
        try {
          if (location === null) throw new Error('no Location header');
          next = new URL(location, current);
        } catch (error) {
          throw new DownloadError('download_bad_redirect', `the download server sent HTTP ${status} without a usable Location`, {
            httpStatus: status,
            cause: error,
          });
        }
        targets.check(next, current);
        logger?.debug({ from: describeUrl(current), to: describeUrl(next), status }, 'download redirected');
        current = next;
        continue;
      }

      if (status < 200 || status > 299) {
        await discard(response.body);
        throw statusError(status);
      }

      try {
        const encodings = parseContentEncoding(response.headers['content-encoding']);
        const maxTransferBytes = maxBytes + (encodings.length > 0 ? CODING_OVERHEAD_BYTES : 0);
        const announced = Number(header(response.headers, 'content-length') ?? Number.NaN);
        if (Number.isSafeInteger(announced) && announced > maxTransferBytes) {
          throw new DownloadError(
            'download_too_large',
            `the download was refused because the server announced ${announced} bytes, more than the limit of ${maxBytes} bytes (${limitName(maxBytes)})`,
          );
        }
        const contentType = header(response.headers, 'content-type');
        const body = await writeBody(
          response.body,
          partPath,
          {
            encodings,
            sniffGzip: isGzipFile(contentType, current.pathname),
            maxBytes,
            maxTransferBytes,
            limitName: limitName(maxBytes),
            ...(onBytes ? { onBytes } : {}),
          },
          signal,
        );
        return { ...body, contentType, finalHost: comparableHost(current.hostname) };
      } finally {
        abandon(response.body);
      }
    }
  }

  async function run(
    url: URL,
    destinationPath: string,
    partPath: string,
    deadline: Deadline,
    maxBytes: number,
    logger: Logger | undefined,
    onBytes: ((bytes: number) => void) | undefined,
  ): Promise<DownloadResult> {
    const context = { deadline, connectTimeoutMs: options.connectTimeoutMs, idleTimeoutMs: options.idleTimeoutMs };
    const where = describeUrl(url);
    const startedAt = Date.now();

    for (let attempts = 1; ; attempts++) {
      let failure: DownloadError;
      try {
        // downloadAttempt, not attempt: a job's lines carry the job's attempt already.
        logger?.debug({ url: where, downloadAttempt: attempts }, 'download attempt');
        const result = await attempt(url, partPath, deadline.signal, maxBytes, logger, onBytes);
        await rename(partPath, destinationPath);
        logger?.info({ url: where, finalHost: result.finalHost, bytes: result.bytes, attempts, ms: Date.now() - startedAt }, 'download finished');
        return { bytes: result.bytes, sha256: result.sha256, contentType: result.contentType, finalHost: result.finalHost, attempts };
      } catch (error) {
        failure = toDownloadError(error, context);
      }
      await rm(partPath, { force: true });

      const delayMs = backoffDelay(attempts - 1, { baseDelayMs: retryBaseDelayMs, maxDelayMs: MAX_BACKOFF_MS, random: Math.random });
      const retryable = failure.retryable && failure.code !== 'download_aborted' && !deadline.timedOut;
      if (!retryable || attempts > retries || delayMs >= deadline.remainingMs()) {
        failure.attempts = attempts;
        logger?.warn({ url: where, code: failure.code, retryable: failure.retryable, httpStatus: failure.httpStatus, attempts }, 'download failed');
        throw failure;
      }
      logger?.warn({ url: where, code: failure.code, httpStatus: failure.httpStatus, downloadAttempt: attempts, delayMs }, 'download failed, retrying');
      try {
        await sleep(delayMs, undefined, { signal: deadline.signal });
      } catch (error) {
        const stopped = toDownloadError(error, context);
        stopped.attempts = attempts;
        throw stopped;
      }
    }
  }

  return {
    async download(urlText, destinationPath, { signal, maxBytes, logger: callLogger, onBytes } = {}) {
      const logger = callLogger ?? options.logger;
      const url = parseDownloadUrl(urlText);
      // Refusals of the URL itself come before any I/O, and are not attempts.
      try {
        targets.check(url);
      } catch (error) {
        const code = errorCode(error);
        logger?.warn({ url: describeUrl(url), code }, 'download refused');
        throw error;
      }
      const partPath = `${destinationPath}.part`;
      const deadline = startDeadline(options.totalTimeoutMs, signal);
      try {
        if (deadline.cancelled) throw deadline.signal.reason;
        await mkdir(dirname(destinationPath), { recursive: true });
        return await run(url, destinationPath, partPath, deadline, Math.min(maxBytes ?? options.maxBytes, options.maxBytes), logger, onBytes);
      } catch (error) {
        throw toDownloadError(error, { deadline, connectTimeoutMs: options.connectTimeoutMs, idleTimeoutMs: options.idleTimeoutMs });
      } finally {
        deadline.dispose();
      }
    },
    close() {
      closing ??= agent.close();
      return closing;
    },
  };
}
