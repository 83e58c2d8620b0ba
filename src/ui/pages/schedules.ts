import { AppError, ValidationError } from '../../errors.js';
import { httpStatusOf } from '../../http/error-status.js';
import type { UiDeps } from '../deps.js';
import { errorsByField, NO_ERRORS } from '../field-errors.js';
import { optionalNumber, typedValues } from '../form-input.js';
import { scheduleHref } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import type { PageRequest, PageView, UiPage } from '../page.js';
import { deleteConfirmation, scheduleDetail, type ScheduleDetailState } from '../schedules/schedule-detail.js';
import { NEW_SCHEDULE_VALUES, scheduleBody, scheduleForm, scheduleValues } from '../schedules/schedule-form.js';
import { otherConfigsTable, schedulesTable } from '../schedules/schedule-list.js';

/** What was just done, named by `?done=` after a redirect: fixed texts, never the query's own. */
const DONE: Readonly<Record<string, string>> = {
  created: 'The schedule was created, and Losant holds its report config.',
  saved: 'The changes were saved and written to Losant.',
  rotated: 'The secret was rotated: Losant holds the new callback URL.',
  deleted: 'The schedule was deleted, and its report config removed from Losant.',
};

function doneNotice(request: PageRequest): SafeHtml | null {
  const text = DONE[request.query.get('done') ?? ''];
  return text === undefined ? null : html`<p class="notice notice-ok" role="status">${text}</p>`;
}

/**
 * A change Losant or the service refused (Losant's error, a conflict, another change in progress):
 * said plainly with its code, the form kept as typed. Anything else (a bug) goes to the error page.
 */
function refusalOf(error: unknown): { status: number; notice: SafeHtml } | null {
  if (
    !(error instanceof AppError) ||
    error instanceof ValidationError ||
    error.code === 'internal' ||
    error.code === 'corrupt_data' ||
    error.code === 'not_found'
  ) {
    return null;
  }
  return {
    status: httpStatusOf(error.code),
    notice: html`<div class="notice notice-error" role="alert">
      <p>The change was not made.</p>
      <p>Code <code>${error.code}</code>: ${error.message}</p>
    </div>`,
  };
}

async function detailPage(deps: UiDeps, request: PageRequest, id: string, state: Partial<ScheduleDetailState> & { status?: number }): Promise<PageView> {
  const schedule = await deps.schedules.get(id);
  const runs = await deps.missedRuns.list(schedule.id);
  return {
    title: schedule.name,
    ...(state.status === undefined ? {} : { status: state.status }),
    body: scheduleDetail(request, schedule, runs, new Date(), {
      edit: state.edit ?? { values: scheduleValues(schedule), errors: NO_ERRORS },
      rotate: state.rotate ?? { values: {}, errors: NO_ERRORS },
      notice: state.notice ?? doneNotice(request),
    }),
  };
}

const idOf = (request: PageRequest) => request.params.id ?? '';

/**
 * /ui/schedules: the schedules report-relay manages (with their next and missed runs) and the
 * instance's other report configs; forms to create, change, re-key and delete a schedule, checked
 * by the admin API's own schemas (the schedule service parses both).
 */
export const schedulesPage: UiPage = {
  path: '/schedules',
  title: 'Schedules',
  nav: 'Schedules',
  register(routes, deps) {
    routes.get('/schedules', async (request) => {
      const { items, unmanaged } = await deps.schedules.list();
      const withMissed = await Promise.all(
        items.map(async (schedule) => ({ schedule, missed: (await deps.missedRuns.list(schedule.id)).filter((run) => run.state === 'missed').length })),
      );
      return {
        body: html`${doneNotice(request)}
          <p><a href="/ui/schedules/new">New schedule</a></p>
          <section aria-labelledby="schedules-title">
            <h2 id="schedules-title">Managed by report-relay</h2>
            ${schedulesTable(withMissed, new Date())}
          </section>
          <section aria-labelledby="others-title">
            <h2 id="others-title">Other report configs of the instance</h2>
            ${otherConfigsTable(unmanaged)}
          </section>`,
      };
    });

    const newForm = (request: PageRequest, values: Readonly<Record<string, string>>, errors = NO_ERRORS, notice: SafeHtml | null = null) =>
      html`${notice}${scheduleForm(request, { mode: 'create', action: '/ui/schedules/new', values, errors, submit: 'Create schedule' })}`;

    routes.get('/schedules/new', (request) => Promise.resolve({ title: 'New schedule', body: newForm(request, NEW_SCHEDULE_VALUES) }));

    routes.post('/schedules/new', async (request) => {
      const values = typedValues(request.form);
      try {
        const schedule = await deps.schedules.create(scheduleBody(request.form, 'create'));
        return { redirect: `${scheduleHref(schedule.id)}?done=created` };
      } catch (error) {
        if (error instanceof ValidationError) return { title: 'New schedule', status: 400, body: newForm(request, values, errorsByField(error)) };
        const refused = refusalOf(error);
        if (refused === null) throw error;
        return { title: 'New schedule', status: refused.status, body: newForm(request, values, NO_ERRORS, refused.notice) };
      }
    });

    routes.get('/schedules/:id', async (request) => detailPage(deps, request, idOf(request), {}));

    routes.post('/schedules/:id', async (request) => {
      const edit = { values: typedValues(request.form), errors: NO_ERRORS };
      try {
        const schedule = await deps.schedules.update(idOf(request), scheduleBody(request.form, 'update'));
        return { redirect: `${scheduleHref(schedule.id)}?done=saved` };
      } catch (error) {
        if (error instanceof ValidationError) return detailPage(deps, request, idOf(request), { status: 400, edit: { ...edit, errors: errorsByField(error) } });
        const refused = refusalOf(error);
        if (refused === null) throw error;
        return detailPage(deps, request, idOf(request), { status: refused.status, edit, notice: refused.notice });
      }
    });

    routes.post('/schedules/:id/rotate-secret', async (request) => {
      const graceSeconds = optionalNumber(request.form, 'graceSeconds');
      const rotate = { values: typedValues(request.form), errors: NO_ERRORS };
      try {
        const schedule = await deps.schedules.rotateSecret(idOf(request), graceSeconds === undefined ? {} : { graceSeconds });
        return { redirect: `${scheduleHref(schedule.id)}?done=rotated` };
      } catch (error) {
        if (error instanceof ValidationError)
          return detailPage(deps, request, idOf(request), { status: 400, rotate: { ...rotate, errors: errorsByField(error) } });
        const refused = refusalOf(error);
        if (refused === null) throw error;
        return detailPage(deps, request, idOf(request), { status: refused.status, rotate, notice: refused.notice });
      }
    });

    routes.get('/schedules/:id/delete', async (request) => {
      const schedule = await deps.schedules.get(idOf(request));
      return { title: 'Delete schedule?', body: deleteConfirmation(request, schedule) };
    });

    routes.post('/schedules/:id/delete', async (request) => {
      try {
        await deps.schedules.remove(idOf(request));
        return { redirect: '/ui/schedules?done=deleted' };
      } catch (error) {
        const refused = refusalOf(error);
        if (refused === null) throw error;
        const schedule = await deps.schedules.get(idOf(request));
        return { title: 'Delete schedule?', status: refused.status, body: html`${refused.notice}${deleteConfirmation(request, schedule)}` };
      }
    });
  },
};
