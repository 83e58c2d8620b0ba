import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLosantClient } from '../../src/losant/client.js';
import { startAdminService, type AdminService } from '../helpers/admin-service.js';
import { signInUi, type UiClient } from '../helpers/ui-session.js';

/*
 * The dashboard's forms over plain HTTP against the web side and the Losant simulator: the new
 * report and schedule forms are checked by the admin API's own schemas (each error shown at its
 * field, what was typed kept), nothing invalid reaches Losant, and Losant's refusals are shown
 * with their code. The browser tests (test/browser/schedules.test.ts) drive the same pages in chromium.
 */

let admin: AdminService;
let ui: UiClient;

/** The text of a field's error paragraph, or null when the field has none. */
function fieldError(html: string, name: string): string | null {
  return new RegExp(`<p class="field-error" id="field-${name}-error">([^<]*)</p>`, 'u').exec(html)?.[1] ?? null;
}

/** The value attribute of a text input, as the page shows it. */
function inputValue(html: string, name: string): string | null {
  return new RegExp(`<input id="field-${name}" name="${name}"[^>]* value="([^"]*)"`, 'u').exec(html)?.[1] ?? null;
}

const actions = (action: string) => admin.sim.requests.filter((entry) => entry.action === action).length;

async function losantConfigs() {
  const client = createLosantClient({ baseUrl: admin.sim.url, token: admin.sim.token, instanceId: admin.sim.instanceId });
  return (await client.get()).reportConfigs ?? [];
}

describe('dashboard forms over HTTP', () => {
  before(async () => {
    admin = await startAdminService('ui-forms');
    ui = await signInUi(admin.service.url);
  });
  after(async () => {
    await admin?.close();
  });

  test('new report: each invalid field is named at the field, what was typed is kept, and Losant is not asked', async () => {
    const before = actions('generateReport');
    const page = await ui.post('/ui/reports/new', { start: 'yesterday', recipients: 'ops@example.com, not-an-address', email: 'true' });
    assert.equal(page.status, 400);
    assert.equal(fieldError(page.text, 'start'), 'must be an ISO 8601 date-time');
    assert.equal(fieldError(page.text, 'recipients'), 'entry 2: must be a valid email address');
    assert.equal(fieldError(page.text, 'end'), null);
    assert.equal(inputValue(page.text, 'start'), 'yesterday');
    assert.match(page.text, /<textarea id="field-recipients"[^>]*>ops@example.com, not-an-address<\/textarea>/u);
    assert.match(page.text, /<input id="field-start"[^>]*aria-describedby="field-start-hint field-start-error" aria-invalid="true"/u);
    assert.match(page.text, /<a href="#field-start">Start<\/a>: must be an ISO 8601 date-time/u, 'the summary links to the field');

    const order = await ui.post('/ui/reports/new', { start: '2026-02-01T00:00:00Z', end: '2026-01-01T00:00:00Z' });
    assert.equal(order.status, 400);
    assert.equal(fieldError(order.text, 'end'), 'start must be before end');

    const nothing = await ui.post('/ui/reports/new', { email: 'false', archive: 'false' });
    assert.equal(nothing.status, 400);
    assert.match(nothing.text, /nothing to deliver/u, 'a rule of the request service is shown above the form');
    assert.equal(actions('generateReport'), before);
  });

  test('new report: a valid request is sent to Losant and answered 303 to the report’s page', async () => {
    const answer = await ui.post('/ui/reports/new', {
      start: '2026-01-01T00:00:00Z',
      end: '2026-02-01T00:00:00Z',
      resourceGroupBy: 'application',
      dateGroupBy: 'month',
      includeSandbox: 'true',
      recipients: 'billing@example.com\nops@example.com',
      email: '',
      archive: 'false',
    });
    assert.equal(answer.status, 303, answer.text);
    const id = /^\/ui\/reports\/(r[^/]+)$/u.exec(String(answer.headers.location))?.[1];
    assert.ok(id, String(answer.headers.location));
    const record = await admin.service.store.get(id);
    assert.deepEqual(record?.request, {
      start: '2026-01-01T00:00:00Z',
      end: '2026-02-01T00:00:00Z',
      resourceGroupBy: 'application',
      dateGroupBy: 'month',
      includeSandbox: true,
    });
    assert.deepEqual(record?.delivery, { email: true, archive: false, recipients: ['billing@example.com', 'ops@example.com'] });
    assert.equal(record?.status, 'accepted');
  });

  test('new report: Losant’s refusal is shown with its code and message, and links to the report as recorded', async () => {
    admin.sim.injectFaults({ action: 'generateReport', status: 400, count: 1, body: { type: 'Validation', message: 'start is too far in the past' } });
    const page = await ui.post('/ui/reports/new', { start: '2020-01-01T00:00:00Z', end: '2020-02-01T00:00:00Z' });
    assert.equal(page.status, 400);
    assert.match(page.text, /<h1>Losant refused the report<\/h1>/u);
    assert.match(page.text, /<code>losant_rejected<\/code>: [^<]*start is too far in the past/u);
    const id = /<a href="\/ui\/reports\/(r[^"]+)">Report/u.exec(page.text)?.[1];
    assert.ok(id);
    assert.equal((await admin.service.store.get(id))?.status, 'failed');
    assert.equal(inputValue(page.text, 'start'), '2020-01-01T00:00:00Z', 'the form is kept to try again');
  });

  test('schedules: invalid fields are named at their field and Losant sees no PATCH', async () => {
    const before = actions('patch');
    const page = await ui.post('/ui/schedules/new', { cron: '0 4 * *', timezone: 'UTC', periods: 'many', resourceGroupBy: 'organization', dateGroupBy: 'day' });
    assert.equal(page.status, 400);
    assert.equal(fieldError(page.text, 'periods'), 'must be a number');
    assert.equal(inputValue(page.text, 'cron'), '0 4 * *');
    assert.equal(inputValue(page.text, 'periods'), 'many');
    const zone = await ui.post('/ui/schedules/new', { cron: '0 4 * * *', timezone: 'Mars/Olympus', periods: '1' });
    assert.equal(zone.status, 400);
    assert.match(fieldError(zone.text, 'timezone') ?? '', /not an IANA time zone/u);
    const cron = await ui.post('/ui/schedules/new', { cron: '0 4 * *', periods: '91' });
    assert.match(fieldError(cron.text, 'cron') ?? '', /5 fields/u);
    assert.equal(fieldError(cron.text, 'periods'), 'must be from 1 to 90');
    assert.equal(
      fieldError((await ui.post('/ui/schedules/new', { periods: '1' })).text, 'cron'),
      'must have 5 fields: minute hour day-of-month month day-of-week',
    );
    assert.equal(actions('patch'), before);
  });

  test('schedules: created, changed (a bad change refused at its field), re-keyed and deleted, each written to Losant', async () => {
    const created = await ui.post('/ui/schedules/new', {
      name: 'Weekly billing',
      cron: '0 6 * * 1',
      timezone: 'America/Chicago',
      periods: '7',
      email: 'false',
    });
    assert.equal(created.status, 303, created.text);
    const id = /^\/ui\/schedules\/(s[^?]+)\?done=created$/u.exec(String(created.headers.location))?.[1];
    assert.ok(id, String(created.headers.location));
    const ours = async () => (await losantConfigs()).find((config) => config.callbackUrl?.includes(`/callbacks/s/${id}/`));
    assert.deepEqual([(await ours())?.cron, (await ours())?.timezone, (await ours())?.periods], ['0 6 * * 1', 'America/Chicago', 7]);

    const shown = await ui.get(`/ui/schedules/${id}?done=created`);
    assert.equal(shown.status, 200);
    assert.match(shown.text, /role="status">The schedule was created/u);
    assert.match(shown.text, /CST|CDT|GMT-[56]/u, 'next runs on the schedule’s clock');

    const bad = await ui.post(`/ui/schedules/${id}`, { cron: '0 6 * * 1', timezone: 'Nowhere/City', periods: '7', email: 'false', archive: 'true' });
    assert.equal(bad.status, 400);
    assert.match(fieldError(bad.text, 'timezone') ?? '', /not an IANA time zone/u);
    assert.equal(inputValue(bad.text, 'timezone'), 'Nowhere/City');

    const saved = await ui.post(`/ui/schedules/${id}`, {
      name: 'Monthly billing',
      cron: '30 5 1 * *',
      timezone: 'Europe/Berlin',
      dateGroupBy: 'month',
      periods: '1',
      email: 'false',
      archive: 'true',
    });
    assert.equal(saved.status, 303, saved.text);
    assert.equal(saved.headers.location, `/ui/schedules/${id}?done=saved`);
    assert.deepEqual([(await ours())?.cron, (await ours())?.timezone, (await ours())?.dateGroupBy], ['30 5 1 * *', 'Europe/Berlin', 'month']);

    const firstUrl = (await ours())?.callbackUrl;
    const refusedGrace = await ui.post(`/ui/schedules/${id}/rotate-secret`, { graceSeconds: '-5' });
    assert.equal(refusedGrace.status, 400);
    assert.ok(fieldError(refusedGrace.text, 'graceSeconds'));
    assert.equal((await ours())?.callbackUrl, firstUrl);
    const rotated = await ui.post(`/ui/schedules/${id}/rotate-secret`, { graceSeconds: '0' });
    assert.equal(rotated.headers.location, `/ui/schedules/${id}?done=rotated`);
    assert.notEqual((await ours())?.callbackUrl, firstUrl, 'Losant holds a new callback URL');

    const confirm = await ui.get(`/ui/schedules/${id}/delete`);
    assert.match(confirm.text, /Delete schedule “Monthly billing”/u);
    const deleted = await ui.post(`/ui/schedules/${id}/delete`, {});
    assert.equal(deleted.headers.location, '/ui/schedules?done=deleted');
    assert.equal(await ours(), undefined);
    assert.equal((await ui.get(`/ui/schedules/${id}`)).status, 404);
  });

  test('schedules: Losant’s refusal of a change is shown with its code, the form kept', async () => {
    admin.sim.injectFaults({ action: 'patch', status: 400, count: 1, body: { type: 'Validation', message: 'reportConfigs is not allowed today' } });
    const page = await ui.post('/ui/schedules/new', { cron: '0 7 * * *', email: 'false' });
    assert.equal(page.status, 400);
    assert.match(page.text, /<code>losant_rejected<\/code>: [^<]*reportConfigs is not allowed today/u);
    assert.equal(inputValue(page.text, 'cron'), '0 7 * * *');
    assert.equal((await losantConfigs()).length, 0, 'nothing was kept');
  });

  test('a form posted without the CSRF field is refused and changes nothing', async () => {
    const before = [actions('patch'), actions('generateReport')];
    assert.equal((await ui.postWithoutCsrf('/ui/schedules/new', { cron: '0 8 * * *', email: 'false' })).status, 403);
    assert.equal((await ui.postWithoutCsrf('/ui/reports/new', {})).status, 403);
    assert.deepEqual([actions('patch'), actions('generateReport')], before);
  });
});
