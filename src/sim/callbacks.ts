import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import type { CallbackShape, SimCallbackOutcome } from './types.js';

/** How long a callback may take, answer included; Losant's own limit is unknown. No retries. */
export const CALLBACK_TIMEOUT_MS = 10_000;

export interface CallbackContent {
  jobId: string;
  downloadUrl?: string;
  /** The links of the report's parts, in order ('json-parts'). */
  downloadUrls?: string[];
  /** A fresh CSV stream for each delivery, so duplicates carry identical bytes. */
  csv: () => Readable;
}

interface CallbackRequest {
  headers: Record<string, string>;
  body: string | Readable;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

const json = (value: unknown): CallbackRequest => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

/** The body of one delivery in the given shape (the shapes are listed on CallbackShape). */
export async function callbackRequest(shape: CallbackShape, content: CallbackContent): Promise<CallbackRequest> {
  const { jobId, downloadUrl } = content;
  switch (shape) {
    case 'json-url':
      return json({ jobId, status: 'completed', success: true, url: downloadUrl });
    case 'json-urls':
      return json({ jobId, status: 'completed', output: { downloadUrls: [downloadUrl] } });
    case 'json-parts':
      return json({ jobId, status: 'completed', output: { downloadUrls: content.downloadUrls } });
    case 'json-inline':
      return json({ jobId, status: 'completed', csv: await readAll(content.csv()) });
    case 'text-csv':
      return { headers: { 'content-type': 'text/csv; charset=utf-8', 'x-losant-job-id': jobId }, body: content.csv() };
    case 'failure':
      return json({ jobId, status: 'errored', error: { name: 'ReportGenerationError', message: 'The report could not be generated (simulated failure)' } });
  }
}

/** POSTs one callback; the outcome (status or error) is recorded, never thrown. */
export async function sendCallback(
  dispatcher: Dispatcher,
  url: string,
  callback: CallbackRequest,
  signal: AbortSignal,
  now: () => Date,
): Promise<SimCallbackOutcome> {
  try {
    const response = await request(url, {
      method: 'POST',
      dispatcher,
      headers: { 'user-agent': 'losant-sim/1.0', ...callback.headers },
      body: callback.body,
      headersTimeout: CALLBACK_TIMEOUT_MS,
      bodyTimeout: CALLBACK_TIMEOUT_MS,
      signal: AbortSignal.any([signal, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]),
    });
    await response.body.dump();
    return { status: response.statusCode, at: now() };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), at: now() };
  }
}
