import { DownloadError } from './errors.js';

/**
 * One AbortSignal for a whole download call: it fires when the total time is up or when the
 * caller aborts, and remembers which, so the failure can be reported as a timeout (transient,
 * the link may still work) or as a cancellation (a shutdown, not the link's fault).
 */
export interface Deadline {
  readonly signal: AbortSignal;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  remainingMs(): number;
  dispose(): void;
}

export function startDeadline(totalMs: number, callerSignal?: AbortSignal): Deadline {
  const controller = new AbortController();
  const endsAt = Date.now() + totalMs;
  let timedOut = false;
  let cancelled = false;

  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DownloadError('download_timeout', `the download did not finish within ${totalMs} ms (DOWNLOAD_TIMEOUT_MS)`));
  }, totalMs);
  const onCallerAbort = (): void => {
    if (controller.signal.aborted) return;
    cancelled = true;
    controller.abort(new DownloadError('download_aborted', 'the download was cancelled', { cause: callerSignal?.reason }));
  };
  if (callerSignal?.aborted === true) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    get cancelled() {
      return cancelled;
    },
    remainingMs: () => Math.max(0, endsAt - Date.now()),
    dispose() {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}
