/**
 * An abort signal for one S3 call: the caller's (a shutdown, a lost job lock) or the call's own
 * deadline, whichever comes first. `settle()` stops the clock once the call has answered, so a
 * read whose headers came in time is not cut off while its body streams.
 */
export function callDeadline(timeoutMs: number, outer?: AbortSignal): { signal: AbortSignal; settle(): void; release(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  timer.unref();
  const onOuterAbort = () => {
    controller.abort(outer?.reason);
  };
  if (outer?.aborted === true) onOuterAbort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  return {
    signal: controller.signal,
    settle() {
      clearTimeout(timer);
    },
    /** The call is over, body and all: the caller's signal no longer reaches it. */
    release() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    },
  };
}
