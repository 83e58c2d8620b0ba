import { errorMessage } from '../errors.js';

/**
 * Makes sense of a callback body whose shape Losant does not document. The rules are tolerant
 * on purpose: look for download URLs in the fields a job result plausibly uses, for the CSV
 * inline, or for a failure result; whatever matches none of them is "unrecognized" and the
 * raw body stays on the record for a later replay. Pure: no I/O, bounded work on any input.
 */

export type CallbackContent =
  | { kind: 'download'; urls: string[] }
  | { kind: 'inline'; csv: Buffer }
  | { kind: 'failure'; error: { name: string; message: string } }
  | { kind: 'unrecognized'; reason: string };

const MAX_DEPTH = 8;
const MAX_NODES = 10_000;
const MAX_URLS = 20;
const MAX_TEXT = 2_000;

const URL_KEY = /url|href|link|location|download|file|report|uri/iu;
const INLINE_KEYS = ['csv', 'report', 'data', 'content', 'body', 'file'];
const FAILED_STATUSES = new Set(['errored', 'error', 'failed', 'failure', 'cancelled', 'canceled', 'timeout']);
const JOB_ID_PATTERN = /^[\w-]{1,64}$/u;

export function interpretCallback(body: Buffer, contentType: string | null): CallbackContent {
  if (body.length === 0) return { kind: 'unrecognized', reason: 'the callback body is empty' };
  const type = mediaType(contentType);

  if (type === 'text/csv' || type === 'application/csv' || type === 'text/comma-separated-values') {
    return { kind: 'inline', csv: body };
  }
  if (type === 'application/x-www-form-urlencoded') {
    return interpretObject(Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  }
  if (type === 'application/json' || type?.endsWith('+json') || ((type === null || type === 'text/plain') && looksLikeJson(body))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return { kind: 'unrecognized', reason: `the body is not valid JSON (${errorMessage(error).slice(0, 200)})` };
    }
    return interpretObject(parsed);
  }
  if ((type === null || type === 'text/plain' || type === 'application/octet-stream') && looksLikeCsv(body)) {
    return { kind: 'inline', csv: body };
  }
  return { kind: 'unrecognized', reason: `no rule understands a ${type ?? 'untyped'} body` };
}

/** The job id a callback names, from a header or the usual JSON fields; null when none or unreadable. */
export function callbackJobId(body: Buffer, contentType: string | null, headers: Record<string, string>): string | null {
  const fromHeader = headers['x-losant-job-id'] ?? headers['x-job-id'];
  if (fromHeader !== undefined) return JOB_ID_PATTERN.test(fromHeader) ? fromHeader : null;
  const type = mediaType(contentType);
  let value: unknown;
  try {
    if (type === 'application/json' || type?.endsWith('+json')) value = JSON.parse(body.toString('utf8'));
    else if (type === 'application/x-www-form-urlencoded') value = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  const job = isObject(value.job) ? value.job : undefined;
  const candidate = value.jobId ?? value.job_id ?? job?.id ?? job?.jobId;
  return typeof candidate === 'string' && JOB_ID_PATTERN.test(candidate) ? candidate : null;
}

function interpretObject(value: unknown): CallbackContent {
  if (!isObject(value)) {
    if (typeof value === 'string' && isHttpUrl(value)) return { kind: 'download', urls: [value] };
    return { kind: 'unrecognized', reason: 'the JSON body is not an object' };
  }
  const failure = findFailure(value);
  if (failure) return { kind: 'failure', error: failure };

  const { urls, otherSchemes } = findUrls(value);
  if (urls.length > 0) return { kind: 'download', urls };

  for (const key of INLINE_KEYS) {
    const candidate = value[key] ?? (isObject(value.output) ? value.output[key] : undefined);
    if (typeof candidate === 'string' && looksLikeCsv(Buffer.from(candidate.slice(0, 4096)))) {
      return { kind: 'inline', csv: Buffer.from(candidate, 'utf8') };
    }
  }
  if (otherSchemes.length > 0) {
    // Said plainly, so that a callback naming file:, ftp: or data: reads as refused, not as a puzzle.
    return {
      kind: 'unrecognized',
      reason: `no download URL found: it names only ${otherSchemes.join(', ')} URLs, and only http: and https: URLs are ever fetched`,
    };
  }
  const keys = Object.keys(value).slice(0, 10).join(', ');
  return { kind: 'unrecognized', reason: `no download URL, inline CSV or error found (top-level keys: ${keys || 'none'})` };
}

function findFailure(value: Record<string, unknown>): { name: string; message: string } | null {
  const status = typeof value.status === 'string' ? value.status.toLowerCase() : null;
  const failed = (status !== null && FAILED_STATUSES.has(status)) || value.success === false || value.ok === false;
  const error = value.error ?? value.err ?? (isObject(value.output) ? value.output.error : undefined);
  if (!failed && (error === undefined || error === null || error === false)) return null;
  if (isObject(error)) {
    return {
      name: text(error.name ?? error.type ?? error.code ?? 'Error'),
      message: text(error.message ?? error.description ?? error),
    };
  }
  if (typeof error === 'string') return { name: 'Error', message: text(error) };
  return { name: 'Error', message: text(value.message ?? `Losant reported status "${status ?? 'failed'}"`) };
}

/**
 * Breadth-first walk, bounded in depth and nodes, collecting http(s) URLs under URL-ish keys,
 * and the schemes of any other URLs there (which are never fetched).
 */
function findUrls(root: Record<string, unknown>): { urls: string[]; otherSchemes: string[] } {
  const found: string[] = [];
  const otherSchemes = new Set<string>();
  const queue: Array<{ value: unknown; key: string; depth: number }> = [{ value: root, key: '', depth: 0 }];
  let visited = 0;
  while (queue.length > 0 && visited < MAX_NODES && found.length < MAX_URLS) {
    const next = queue.shift();
    if (next === undefined) break;
    const { value, key, depth } = next;
    visited += 1;
    if (typeof value === 'string') {
      if (!URL_KEY.test(key)) continue;
      if (isHttpUrl(value)) {
        if (!found.includes(value)) found.push(value);
      } else {
        const scheme = otherScheme(value);
        if (scheme !== null && otherSchemes.size < 5) otherSchemes.add(scheme);
      }
      continue;
    }
    if (depth >= MAX_DEPTH) continue;
    if (Array.isArray(value)) {
      for (const item of value.slice(0, 1000)) queue.push({ value: item, key, depth: depth + 1 });
    } else if (isObject(value)) {
      for (const [childKey, child] of Object.entries(value).slice(0, 1000)) queue.push({ value: child, key: childKey, depth: depth + 1 });
    }
  }
  return { urls: found, otherSchemes: [...otherSchemes] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpUrl(value: string): boolean {
  if (value.length > 4096) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The scheme of an absolute URL that is not http(s) ("file:", "ftp:"...), or null. */
function otherScheme(value: string): string | null {
  // No spaces: "Status: done" under a key like "report" is prose, not a URL.
  if (value.length > 4096 || !/^[a-z][a-z\d+.-]{0,30}:\S+$/iu.test(value)) return null;
  try {
    return new URL(value).protocol;
  } catch {
    return null;
  }
}

function mediaType(contentType: string | null): string | null {
  if (contentType === null) return null;
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  return type === undefined || type === '' ? null : type;
}

function looksLikeJson(body: Buffer): boolean {
  const first = body.toString('utf8', 0, Math.min(body.length, 64)).trimStart()[0];
  return first === '{' || first === '[';
}

function looksLikeCsv(body: Buffer): boolean {
  const head = body.toString('utf8', 0, Math.min(body.length, 4096)).replace(/^\uFEFF/u, '');
  const firstLine = head.split(/\r?\n/u)[0] ?? '';
  return firstLine.includes(',') && !firstLine.trimStart().startsWith('{') && !firstLine.trimStart().startsWith('<');
}

function text(value: unknown): string {
  let s: string;
  try {
    // JSON.stringify gives undefined for undefined and functions, although its type says string.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
    s = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    // JSON.stringify recurses: a value nested thousands of levels deep overflows the stack.
    s = '(a value nested too deeply to show; the raw callback is kept on the record)';
  }
  return s.replace(/[\r\n]+/gu, ' ').slice(0, MAX_TEXT);
}
