import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
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
  jobId: string;
  report: ResolvedReport;
  expiresAt: number;
  gets: number;
}

const xmlError = (code: string, message: string, extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>${randomBytes(8).toString('hex').toUpperCase()}</RequestId></Error>`;

const xml = (status: number, body: string): DownloadAnswer => ({ status, headers: { 'content-type': 'application/xml' }, body });

export function createDownloads(options: {
  now: () => Date;
  ttlMs: number;
  baseUrl: () => string;
  faults: FaultState;
  csv: (report: ResolvedReport) => Readable;
}) {
  const links = new Map<string, Link>();

  return {
    /** Registers a link for a job's report and returns its URL. */
    create(jobId: string, report: ResolvedReport): string {
      const token = randomBytes(24).toString('base64url');
      const now = options.now().getTime();
      const expiresAt = options.faults.current.downloadExpired ? now - 1 : now + options.ttlMs;
      links.set(token, { jobId, report, expiresAt, gets: 0 });
      return `${options.baseUrl()}/downloads/${token}/report-${jobId}.csv`;
    },

    answer(token: string, file: string): DownloadAnswer {
      const link = links.get(token);
      if (link === undefined || file !== `report-${link.jobId}.csv`) return xml(403, xmlError('AccessDenied', 'Access Denied'));
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
          'content-disposition': `attachment; filename="report-${link.jobId}.csv"`,
          'cache-control': 'private, no-store',
        },
        body: options.csv(link.report),
      };
    },
  };
}

export type Downloads = ReturnType<typeof createDownloads>;
