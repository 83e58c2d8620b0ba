import { z } from 'zod';
import type { RejectedCallback } from '../../reports/rejected-callbacks.js';

/** A callback that authenticated but was refused, as the admin API shows it; its body is a download of its own. */
export const rejectedCallbackViewSchema = z.strictObject({
  reason: z.string(),
  receivedAt: z.string(),
  contentType: z.string().nullable(),
  /** The body's Content-Encoding when it was kept compressed, as it arrived; null when it came plain. */
  contentEncoding: z.string().nullable(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string(),
  jobId: z.string().nullable(),
  /** The request's headers as received (credentials shown as "[redacted]"). */
  headers: z.record(z.string(), z.string()),
  /** Where the body is served as it arrived: GET with the admin token. */
  bodyUrl: z.string(),
});
export type RejectedCallbackView = z.infer<typeof rejectedCallbackViewSchema>;

export function toRejectedCallbackView(reportId: string, entry: RejectedCallback): RejectedCallbackView {
  const { info } = entry;
  return {
    reason: entry.reason,
    receivedAt: info.receivedAt,
    contentType: info.contentType,
    contentEncoding: info.contentEncoding ?? null,
    bytes: info.bytes,
    sha256: info.sha256,
    jobId: info.jobId,
    headers: { ...info.headers },
    bodyUrl: `/admin/reports/${reportId}/rejected-callbacks/${info.sha256}`,
  };
}
