import { Router } from 'express';
import type { MissedRunService } from '../../schedules/missed-run-service.js';
import type { ScheduleService } from '../../schedules/schedule-service.js';
import { toMissedRunView } from '../contract/missed-run-view.js';
import { toReportView } from '../contract/report-view.js';
import { toScheduleView } from '../contract/schedule-view.js';
import { httpStatusOf } from '../error-status.js';
import { requestIdField } from '../request-context.js';
import { route } from '../handler.js';

/** Schedules: the instance's reportConfigs that this service manages, and their missed runs. */
export function adminScheduleRoutes(schedules: ScheduleService, missedRuns?: MissedRunService): Router {
  const router = Router();
  router.get(
    '/admin/schedules',
    route(async () => {
      const { items, unmanagedConfigs } = await schedules.list();
      return { status: 200, body: { items: items.map(toScheduleView), unmanagedConfigs } };
    }),
  );
  router.post(
    '/admin/schedules',
    route(async (req) => ({ status: 201, body: { schedule: toScheduleView(await schedules.create(req.body)) } })),
  );
  router.get(
    '/admin/schedules/:id',
    route(async (req) => ({ status: 200, body: { schedule: toScheduleView(await schedules.get(String(req.params.id))) } })),
  );
  router.put(
    '/admin/schedules/:id',
    route(async (req) => ({ status: 200, body: { schedule: toScheduleView(await schedules.update(String(req.params.id), req.body)) } })),
  );
  router.delete(
    '/admin/schedules/:id',
    route(async (req) => {
      await schedules.remove(String(req.params.id));
      return { status: 204, body: null };
    }),
  );
  router.post(
    '/admin/schedules/:id/rotate-secret',
    route(async (req) => ({ status: 200, body: { schedule: toScheduleView(await schedules.rotateSecret(String(req.params.id), req.body)) } })),
  );
  if (missedRuns) {
    router.get(
      '/admin/schedules/:id/missed-runs',
      route(async (req) => ({ status: 200, body: { items: (await missedRuns.list(String(req.params.id))).map(toMissedRunView) } })),
    );
    router.post(
      '/admin/schedules/:id/missed-runs/:fireTime/re-request',
      route(async (req, res) => {
        const result = await missedRuns.reRequest(String(req.params.id), String(req.params.fireTime), requestIdField(res));
        if (result.ok) return { status: 202, body: { missedRun: toMissedRunView(result.run), report: toReportView(result.record) } };
        return {
          status: httpStatusOf(result.error.code),
          body: { error: { code: result.error.code, message: result.error.message }, report: toReportView(result.record) },
        };
      }),
    );
  }
  return router;
}
