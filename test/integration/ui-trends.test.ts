import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addMonths, comparedMonths, monthOf } from '../../src/insights/movers.js';
import { redisKeys } from '../../src/redis-keys.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { escapeHtml } from '../../src/ui/html.js';
import { expectedMovers, losantMonth } from '../helpers/losant-months.js';
import { startService, type RunningService } from '../helpers/service.js';
import { signInUi, type UiClient } from '../helpers/ui-session.js';

/*
 * The dashboard's organizations' trends over plain HTTP, against the web side and the Losant
 * simulator: the backfill form (its CSRF check, its months checked by the admin API's schema,
 * Losant's failure, the outcome after the redirect and the points in Redis), the top movers, and an
 * organization's months with their month-over-month change. The first organization's name is
 * markup, which every page must show as text.
 */

const HOSTILE = `<img src=x onerror="alert('relay')"> & <b>Co</b>`;
const BACKFILL = '/ui/organizations/backfill';

let sim: Simulator;
let service: RunningService;
let ui: UiClient;

const summaryRequests = () => sim.requests.filter((entry) => entry.action === 'historicalSummaries').length;

function fieldError(page: string, name: string): string | null {
  return new RegExp(`<p class="field-error" id="field-${name}-error">([^<]*)</p>`, 'u').exec(page)?.[1] ?? null;
}

function inputValue(page: string, name: string): string | null {
  return new RegExp(`<input id="field-${name}" name="${name}"[^>]* value="([^"]*)"`, 'u').exec(page)?.[1] ?? null;
}

const ENTITIES: Readonly<Record<string, string>> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&amp;': '&' };

/** The text of a markup fragment, as a browser shows it: tags dropped, entities read, spaces collapsed. */
const textOf = (fragment: string) =>
  fragment
    .replace(/<[^>]*>/gu, ' ')
    .replace(/&(?:lt|gt|quot|#39|amp);/gu, (entity) => ENTITIES[entity] ?? entity)
    .replace(/\s+/gu, ' ')
    .trim();

/** The markup of the table whose caption matches `caption`. */
function tableOf(page: string, caption: RegExp): string {
  const table = page.split('<table').find((part) => caption.test(/<caption>([\s\S]*?)<\/caption>/u.exec(part)?.[1] ?? ''));
  assert.ok(table !== undefined, `a table captioned ${String(caption)}`);
  return table.slice(0, table.indexOf('</table>'));
}

/** Each body row's header cell (as markup) and its text, in order. */
function rowsOf(table: string): Array<{ header: string; text: string }> {
  return [...table.matchAll(/<tr>\s*<th scope="row">([\s\S]*?)<\/th>([\s\S]*?)<\/tr>/gu)].map((match) => ({
    header: match[1] ?? '',
    text: textOf(`${match[1] ?? ''} ${match[2] ?? ''}`),
  }));
}

const figure = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 2 });
const signed = (change: number) => (change > 0 ? `+${figure(change)}` : change < 0 ? `−${figure(-change)}` : '0');

describe('organizations’ trends on the dashboard over HTTP', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 10, faults: { noCallback: true }, organizationNames: [HOSTILE] });
    service = await startService({
      worker: false,
      name: 'ui-trends',
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, LOSANT_MAX_RETRIES: '1' },
    });
    ui = await signInUi(service.url);
  });
  after(async () => {
    await service?.stop();
    await sim?.close();
  });

  test('before any backfill the organizations page offers it for 12 months and says no organization can be compared yet', async () => {
    const page = await ui.get('/ui/organizations');
    assert.equal(page.status, 200);
    assert.match(
      page.text,
      /<form class="form" method="post" action="\/ui\/organizations\/backfill" novalidate>\s*<input type="hidden" name="_csrf" value="[^"]+" \/>/u,
    );
    assert.equal(inputValue(page.text, 'months'), '12');
    assert.match(page.text, /<button type="submit">Backfill from Losant<\/button>/u);
    assert.match(textOf(page.text), /No organization has whole-month figures for both \d{4}-\d{2} and \d{4}-\d{2} yet: backfill them from Losant/u);
    assert.match(textOf(page.text), /No kept report names an organization yet/u);
  });

  test('a backfill without the CSRF token is refused, and Losant is not asked', async () => {
    const before = summaryRequests();
    const refused = await ui.postWithoutCsrf(BACKFILL, { months: '3' });
    assert.equal(refused.status, 403);
    assert.match(refused.text, /no valid CSRF token/u);
    assert.equal(summaryRequests(), before);
    assert.deepEqual(await service.usage.organizations.allTrends(), []);
  });

  test('months of 0, 25, 2.5 or "x" are named at the field, what was typed is kept, and Losant is not asked', async () => {
    const before = summaryRequests();
    for (const [months, message] of [
      ['0', 'must be from 1 to 24'],
      ['25', 'must be from 1 to 24'],
      ['2.5', 'must be a whole number of months'],
      ['x', 'must be a whole number of months'],
    ] as const) {
      const page = await ui.post(BACKFILL, { months });
      assert.equal(page.status, 400, months);
      assert.equal(fieldError(page.text, 'months'), message, months);
      assert.equal(inputValue(page.text, 'months'), months);
      assert.match(page.text, /<input id="field-months"[^>]*aria-invalid="true"/u);
      assert.match(page.text, new RegExp(`<a href="#field-months">Months</a>: ${message}`, 'u'), 'the summary links to the field');
    }
    assert.equal(summaryRequests(), before);
    assert.deepEqual(await service.usage.organizations.allTrends(), []);
  });

  test('Losant’s failure is shown with its code and the month the backfill stopped at, and no secret', async () => {
    sim.injectFaults({ action: 'historicalSummaries', status: 500, count: 2 });
    const page = await ui.post(BACKFILL, { months: '2' });
    assert.equal(page.status, 502, page.text);
    const first = addMonths(monthOf(new Date()), -2);
    assert.match(page.text, /role="alert">\s*<p>The backfill from Losant failed.<\/p>/u);
    assert.match(page.text, new RegExp(`<code>losant_\\w+</code>: Backfill stopped at ${first}: reading historicalSummaries for it failed \\([^)]*500`, 'u'));
    assert.equal(inputValue(page.text, 'months'), '2', 'the form is kept to try again');
    assert.ok(!page.text.includes(sim.token), 'the Losant token is not shown');
    assert.deepEqual(await service.usage.organizations.allTrends(), []);
  });

  test('a 12-month backfill redirects to its outcome, and each organization’s months are in Redis as historicalSummaries gives them', async () => {
    const done = await ui.post(BACKFILL, { months: '12' });
    assert.equal(done.status, 303, done.text);
    const months = Array.from({ length: 12 }, (_, index) => addMonths(monthOf(new Date()), index - 12));
    const location = String(done.headers.location);
    assert.equal(location, `/ui/organizations?backfilled=12&from=${months[0] ?? ''}&to=${months.at(-1) ?? ''}&organizations=6&points=72&truncated=0#backfill`);
    const page = await ui.get(location.replace(/#.*$/u, ''));
    assert.equal(page.status, 200);
    assert.match(
      textOf(page.text),
      new RegExp(`Backfilled 12 months from Losant \\(${months[0] ?? ''} to ${months.at(-1) ?? ''}\\): 6 organizations, 72 points written\\.`, 'u'),
    );

    const keys = redisKeys(service.config.redis.prefix).usage;
    for (const month of months) {
      const losant = await losantMonth(sim, month);
      assert.equal(losant.size, 6);
      for (const [id, figures] of losant) {
        const stored: unknown = JSON.parse((await service.redis.hget(keys.organizationMonths(id), month)) ?? 'null');
        assert.deepEqual(
          stored,
          {
            month,
            billablePayloads: figures.billablePayloads,
            devices: figures.devices,
            notebookMinutes: figures.notebookMinutes,
            source: 'historicalSummaries',
            report: null,
            daysCovered: new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate(),
            daysInMonth: new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate(),
            partial: false,
          },
          `${id} ${month}`,
        );
      }
    }
  });

  test('the top movers up and down are Losant’s, largest first, each linking to its organization, names escaped', async () => {
    const { latestMonth, previousMonth } = comparedMonths(new Date());
    const expected = await expectedMovers(sim, latestMonth);
    assert.ok(expected.up.length + expected.down.length > 0, 'the simulator has organizations whose payloads moved');
    const page = await ui.get('/ui/organizations');
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes(HOSTILE), 'no organization name is inserted as markup');
    for (const [direction, movers] of [
      ['rose', expected.up],
      ['fell', expected.down],
    ] as const) {
      if (movers.length === 0) {
        assert.match(textOf(page.text), new RegExp(`No organization's billable payloads ${direction}`, 'u'));
        continue;
      }
      const rows = rowsOf(tableOf(page.text, new RegExp(`billable payloads ${direction} most from ${previousMonth} to ${latestMonth}`, 'u')));
      assert.deepEqual(
        rows.map((row) => row.header),
        movers.slice(0, 5).map((mover) => `<a href="/ui/organizations/${mover.id}">${escapeHtml(mover.name)}</a>`),
      );
      movers.slice(0, 5).forEach((mover, index) => {
        const percent = mover.previous === 0 ? '—' : `${signed(Math.round((mover.change / mover.previous) * 1000) / 10)}%`;
        assert.equal(rows[index]?.text, `${mover.name} ${figure(mover.previous)} ${figure(mover.latest)} ${signed(mover.change)} ${percent}`);
      });
    }
  });

  test('an organization known from its months alone has a page: its 12 months newest first and each figure’s month-over-month change', async () => {
    const { latestMonth, previousMonth } = comparedMonths(new Date());
    const [latest, previous] = await Promise.all([losantMonth(sim, latestMonth), losantMonth(sim, previousMonth)]);
    const id = [...latest].find(([, figures]) => figures.name === HOSTILE)?.[0];
    assert.ok(id !== undefined, 'the simulator names the first organization with the hostile name');
    const page = await ui.get(`/ui/organizations/${id}`);
    assert.equal(page.status, 200, page.text);
    assert.ok(!page.text.includes(HOSTILE), 'the name is not inserted as markup');
    assert.ok(page.text.includes(`<h1>${escapeHtml(HOSTILE)}</h1>`), 'the name is the heading, as text');

    const months = rowsOf(tableOf(page.text, /usage month by month/u));
    assert.deepEqual(
      months.map((row) => row.header),
      Array.from({ length: 12 }, (_, index) => addMonths(latestMonth, -index)),
    );
    const figures = latest.get(id);
    assert.ok(figures?.billablePayloads != null && figures.devices != null && figures.notebookMinutes != null);
    assert.equal(
      months[0]?.text,
      `${latestMonth} ${figure(figures.billablePayloads)} ${figure(figures.devices)} ${figure(figures.notebookMinutes)} Losant's historicalSummaries whole month (${new Date(Date.UTC(Number(latestMonth.slice(0, 4)), Number(latestMonth.slice(5, 7)), 0)).getUTCDate()} days)`,
    );

    const before = previous.get(id);
    assert.ok(before?.billablePayloads != null && before.devices != null && before.notebookMinutes != null);
    const changes = rowsOf(tableOf(page.text, new RegExp(`Month over month: ${latestMonth} against ${previousMonth}`, 'u')));
    assert.deepEqual(
      changes.map((row) => row.text.replace(/ [+−]?[\d,.]+%$| —$/u, '')),
      [
        ['Billable payloads', before.billablePayloads, figures.billablePayloads],
        ['Devices', before.devices, figures.devices],
        ['Notebook minutes', before.notebookMinutes, figures.notebookMinutes],
      ].map(([name, was, now]) => `${String(name)} ${figure(Number(was))} ${figure(Number(now))} ${signed(Number(now) - Number(was))}`),
    );
    assert.match(page.text, /data-usage-chart="[^"]*&quot;labels&quot;:\[&quot;\d{4}-\d{2}&quot;/u, 'the months are charted');
  });

  test('an organization with neither reports nor months is not found', async () => {
    const page = await ui.get('/ui/organizations/no-such-organization');
    assert.equal(page.status, 404);
  });
});
