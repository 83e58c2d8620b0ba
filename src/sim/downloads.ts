import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { RowRange } from './csv.js';
import type { ResolvedReport } from './report-options.js';
import type { FaultState } from './faults.js';

/**
 * Report download links, shaped like pre-signed S3 URLs: an unguessable token in the path, a
 * lifetime, and S3-style XML errors (403 AccessDenied once expired or for an unknown token).
 * The CSV is regenerated and streamed on every GET, never held in memory.
 */

export interface DownloadAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Readable;
}

interface Link {
  /** The file name the link ends with. */
  file: string;
  report: ResolvedReport;
  /** The rows of the report this link serves (one part of it); the whole report when undefined. */
  range: RowRange | undefined;
  expiresAt: number;
  gets: number;
}

/** One of the files of a report delivered in parts: its place (0-based) among `count` parts, and its rows. */
export interface DownloadPart {
  index: number;
  count: number;
  range: RowRange;
}

const xmlError = (code: string, message: string, extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>${randomBytes(8).toString('hex').toUpperCase()}</RequestId></Error>`;

const xml = (status: number, body: string): DownloadAnswer => ({ status, headers: { 'content-type': 'application/xml' }, body });

export function createDownloads(options: {
  now: () => Date;
  ttlMs: number;
  baseUrl: () => string;
  faults: FaultState;
  csv: (report: ResolvedReport, range?: RowRange) => Readable;
}) {
  const links = new Map<string, Link>();

  return {
    /** Registers a link for a job's report, or for one part of it, and returns its URL. */
    create(jobId: string, report: ResolvedReport, part?: DownloadPart): string {
      const token = randomBytes(24).toString('base64url');
      const now = options.now().getTime();
      const expiresAt = options.faults.current.downloadExpired ? now - 1 : now + options.ttlMs;
      const file = part === undefined ? `report-${jobId}.csv` : `report-${jobId}-part-${part.index + 1}-of-${part.count}.csv`;
      links.set(token, { file, report, range: part?.range, expiresAt, gets: 0 });
      return `${options.baseUrl()}/downloads/${token}/${file}`;
    },

    answer(token: string, file: string): DownloadAnswer {
      const link = links.get(token);
      if (link?.file !== file) return xml(403, xmlError('AccessDenied', 'Access Denied'));
      const now = options.now();
      if (now.getTime() > link.expiresAt) {
        const expires = new Date(link.expiresAt).toISOString();
        return xml(403, xmlError('AccessDenied', 'Request has expired', `<Expires>${expires}</Expires><ServerTime>${now.toISOString()}</ServerTime>`));
      }
      link.gets += 1;
      if (link.gets === 1 && options.faults.current.downloadFailOnce) {
        return xml(503, xmlError('SlowDown', 'Please reduce your request rate.'));
      }
      return {
        status: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${link.file}"`,
          'cache-control': 'private, no-store',
        },
        body: options.csv(link.report, link.range),
      };
    },
  };
}

export type Downloads = ReturnType<typeof createDownloads>;
