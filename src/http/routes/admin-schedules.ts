import { Router } from 'express';
import type { ScheduleService } from '../../schedules/schedule-service.js';
import { toScheduleView } from '../contract/schedule-view.js';
import { route } from '../handler.js';

/** Schedules: the instance's reportConfigs that this service manages. */
export function adminScheduleRoutes(schedules: ScheduleService): Router {
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
  return router;
}
