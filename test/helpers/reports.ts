import type { ReportRecord } from '../../src/reports/record.js';
import { generateId, generateSecret, hashSecret } from '../../src/reports/secrets.js';
import { seriesKeyForRequest } from '../../src/reports/series.js';
import type { ReportStore } from '../../src/reports/store.js';

/**
 * A report record waiting for its callback, made directly in the store (no Losant request), with
 * the callback URL that carries its secret.
 */
export async function createAwaitingReport(
  store: ReportStore,
  baseUrl: string,
  delivery: ReportRecord['delivery'] = { email: false, archive: true, recipients: [] },
): Promise<{ id: string; secret: string; callbackUrl: string; path: string }> {
  const id = generateId('r');
  const secret = generateSecret();
  await store.create({
    id,
    source: 'api',
    scheduleId: null,
    request: {},
    delivery,
    seriesKey: seriesKeyForRequest({}),
    secretHash: hashSecret(secret),
    status: 'requested',
    overdueAt: new Date(Date.now() + 3_600_000),
    note: 'created by a test',
  });
  const path = `/callbacks/r/${id}/${secret}`;
  return { id, secret, path, callbackUrl: `${baseUrl}${path}` };
}
