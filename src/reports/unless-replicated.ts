import type { Logger } from '../log.js';
import type { ReplicaWait } from '../redis-replica-wait.js';
import type { CallbackOutcome } from './receive-callback.js';

/**
 * With REDIS_WAIT_REPLICAS, a kept callback is answered 2xx only once enough replicas confirmed
 * it: Losant sends nothing again after a 2xx, so that is what a failover must not lose. Returns
 * the not_replicated outcome (503) when they did not, after one line that says so (ids and counts,
 * never the body); null when they did, or when nothing is waited for.
 *
 * The receivers call it after they wrote and before they enqueue: a callback answered 503 is not
 * processed from this delivery. Were it processed on a master that a failover is leaving behind,
 * its effects (an email) would happen there while its record is lost, and again when the resend
 * is kept on the new master. A callback kept but never sent again still runs: the worker's
 * reconciler (src/jobs/maintenance.ts) enqueues a record left in callback_received with no job.
 */
export async function unlessReplicated(wait: ReplicaWait | undefined, logger: Logger, fields: Record<string, unknown>): Promise<CallbackOutcome | null> {
  if (wait === undefined) return null;
  const { wanted } = wait;
  let acked: number;
  try {
    acked = await wait.acked();
  } catch (error) {
    // The connection cut by the failover itself, or a master already turned replica (which refuses WAIT): not confirmed either way.
    logger.warn({ ...fields, wanted, err: error }, 'callback kept, but waiting for Redis replicas failed; answered 503 so it is sent again');
    return { kind: 'not_replicated', acked: 0, wanted };
  }
  if (acked >= wanted) return null;
  logger.warn(
    { ...fields, acked, wanted },
    'callback kept, but fewer Redis replicas than REDIS_WAIT_REPLICAS confirmed it in time; answered 503 so it is sent again',
  );
  return { kind: 'not_replicated', acked, wanted };
}
