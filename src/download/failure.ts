import type { Deadline } from './deadline.js';
import { DownloadError } from './errors.js';

/**
 * Turns whatever a download attempt threw (undici, node:net, node:fs, an abort) into a
 * DownloadError with the right code, so that retry decisions and reports rest on one vocabulary.
 */

export interface FailureContext {
  deadline: Deadline;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
}

interface ErrorLike {
  code?: unknown;
  syscall?: unknown;
  message?: unknown;
  cause?: unknown;
}

// Filesystem calls made around the .part file. A failed write(2) names no path and sockets fail
// in write(2) too, so those are told apart by codes that only a filesystem gives.
const FS_SYSCALLS = new Set(['open', 'close', 'rename', 'mkdir', 'unlink', 'fsync', 'ftruncate']);
const FS_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EFBIG', 'EISDIR', 'ENOTDIR']);

function findDownloadError(error: unknown): DownloadError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== null && current !== undefined; depth++) {
    if (current instanceof DownloadError) return current;
    current = (current as ErrorLike).cause; // as: any thrown value; `cause` is read as unknown
  }
  return undefined;
}

function isFsError(error: ErrorLike & { path?: unknown }): boolean {
  if (typeof error.syscall === 'string' && FS_SYSCALLS.has(error.syscall)) return true;
  if (typeof error.path === 'string') return true;
  return typeof error.code === 'string' && FS_CODES.has(error.code);
}

export function toDownloadError(error: unknown, context: FailureContext): DownloadError {
  const known = findDownloadError(error);
  if (known !== undefined) return known;
  if (context.deadline.timedOut || context.deadline.cancelled) {
    // An abort surfaced as a plain AbortError without our reason attached.
    return context.deadline.timedOut
      ? new DownloadError('download_timeout', 'the download did not finish within DOWNLOAD_TIMEOUT_MS', { cause: error })
      : new DownloadError('download_aborted', 'the download was cancelled', { cause: error });
  }

  // as: any thrown value, read field by field as unknown.
  const like = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike & { path?: unknown };
  const code = typeof like.code === 'string' ? like.code : undefined;
  const message = typeof like.message === 'string' ? like.message : String(error);

  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new DownloadError('download_timeout', `connecting to the download host took longer than ${context.connectTimeoutMs} ms`, {
      cause: error,
    });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new DownloadError('download_timeout', `the download server sent no response within ${context.idleTimeoutMs} ms`, {
      cause: error,
    });
  }
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return new DownloadError('download_timeout', `the download stalled: no data for ${context.idleTimeoutMs} ms (DOWNLOAD_IDLE_TIMEOUT_MS)`, { cause: error });
  }
  if (isFsError(like)) {
    return new DownloadError('download_write_failed', `the download could not be written to disk: ${code ?? message}`, {
      cause: error,
    });
  }
  return new DownloadError('download_network', `the download failed on the network: ${code !== undefined ? `${code} ` : ''}${message}`, {
    cause: error,
    details: { errorCode: code },
  });
}
