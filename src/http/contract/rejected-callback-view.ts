import { z } from 'zod';
import type { RejectedCallback } from '../../reports/rejected-callbacks.js';

/** A callback that authenticated but was refused, as the admin API shows it (its headers stay stored). */
export const rejectedCallbackViewSchema = z.strictObject({
  reason: z.string(),
  receivedAt: z.string(),
  contentType: z.string().nullable(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string(),
  jobId: z.string().nullable(),
  /** The body, base64, cut at 1 MiB (`truncated` says so). */
  bodyBase64: z.string(),
  truncated: z.boolean(),
});
export type RejectedCallbackView = z.infer<typeof rejectedCallbackViewSchema>;

export function toRejectedCallbackView(entry: RejectedCallback): RejectedCallbackView {
  const { info } = entry;
  return {
    reason: entry.reason,
    receivedAt: info.receivedAt,
    contentType: info.contentType,
    bytes: info.bytes,
    sha256: info.sha256,
    jobId: info.jobId,
    bodyBase64: entry.bodyBase64,
    truncated: entry.truncated,
  };
}
