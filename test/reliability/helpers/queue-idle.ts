import type { Queue } from 'bullmq';

/**
 * Waits until no job of the queue waits, runs or is delayed: the positive signal after which
 * counting side effects (mails, downloads) is final. Gives up after a hang limit far above any
 * machine's speed.
 */
export async function waitForQueueIdle(queue: Queue, hangLimitMs = 60_000): Promise<void> {
  const deadline = Date.now() + hangLimitMs;
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    const busy = Object.values(counts).reduce((sum, count) => sum + count, 0);
    if (busy === 0) return;
    if (Date.now() > deadline) throw new Error(`the queue is still busy after ${hangLimitMs} ms: ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
