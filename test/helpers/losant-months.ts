import { addMonths } from '../../src/insights/movers.js';
import { createLosantClient } from '../../src/losant/client.js';
import type { Simulator } from '../../src/sim/index.js';

/** One organization's figures of one month, as Losant's historicalSummaries gives them. */
export interface LosantMonthFigures {
  name: string;
  billablePayloads: number | null;
  devices: number | null;
  notebookMinutes: number | null;
}

/**
 * historicalSummaries of one month ("YYYY-MM"), organizations only, read through the Losant client
 * page by page (small pages, unlike the backfill): organization id -> figures. What the backfill
 * writes and the dashboard shows are held to this.
 */
export async function losantMonth(sim: Simulator, month: string): Promise<Map<string, LosantMonthFigures>> {
  const client = createLosantClient({ baseUrl: sim.url, token: sim.token, instanceId: sim.instanceId, maxRetries: 0 });
  const found = new Map<string, LosantMonthFigures>();
  for (let page = 0; ; page += 1) {
    const answer = await client.historicalSummaries({
      month: Date.parse(`${month}-15T00:00:00.000Z`),
      page,
      perPage: 2,
      filterField: 'resourceType',
      filter: 'organization',
    });
    for (const item of answer.items) {
      found.set(item.resourceId, {
        name: item.resourceName ?? item.resourceId,
        billablePayloads: item.payloadBillableCount ?? null,
        devices: item.deviceCount ?? null,
        notebookMinutes: item.notebookMinutesCount ?? null,
      });
    }
    if ((page + 1) * answer.perPage >= answer.totalCount || answer.items.length === 0) return found;
  }
}

export interface ExpectedMover {
  id: string;
  name: string;
  previous: number;
  latest: number;
  change: number;
}

/** The organizations whose billable payloads rose and fell from `latestMonth`'s month before to it, by Losant's figures, largest first. */
export async function expectedMovers(sim: Simulator, latestMonth: string): Promise<{ up: ExpectedMover[]; down: ExpectedMover[] }> {
  const [latest, previous] = await Promise.all([losantMonth(sim, latestMonth), losantMonth(sim, addMonths(latestMonth, -1))]);
  const changes = [...latest].flatMap(([id, figures]): ExpectedMover[] => {
    const before = previous.get(id)?.billablePayloads;
    const after = figures.billablePayloads;
    if (before === undefined || before === null || after === null) return [];
    return [{ id, name: figures.name, previous: before, latest: after, change: after - before }];
  });
  const byId = (a: ExpectedMover, b: ExpectedMover) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    up: changes.filter((entry) => entry.change > 0).sort((a, b) => b.change - a.change || byId(a, b)),
    down: changes.filter((entry) => entry.change < 0).sort((a, b) => a.change - b.change || byId(a, b)),
  };
}
