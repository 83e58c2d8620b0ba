import { z } from 'zod';
import { REPORT_STATUSES } from '../../reports/state-machine.js';
import { REPORT_ID_PATTERN, SCHEDULE_ID_PATTERN } from '../../reports/secrets.js';
import { fireTimeSchema } from '../../schedules/missed-run-service.js';

/**
 * What the admin routes accept in their paths and query strings. The routes parse with these
 * objects and the API document (openapi.ts) is made from the same ones, so the two cannot differ.
 * Request bodies are checked where they are used (src/reports/request-report.ts,
 * src/schedules/schedule.ts) and listed with the routes in admin-answers.ts.
 */

export const reportIdParamsSchema = z.strictObject({
  id: z.string().regex(REPORT_ID_PATTERN).meta({ description: 'A report id, e.g. as POST /admin/reports answers it' }),
});

export const rejectedCallbackParamsSchema = z.strictObject({
  id: reportIdParamsSchema.shape.id,
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/u)
    .meta({ description: "The refused callback body's SHA-256, as its entry in rejected-callbacks names it" }),
});

export const scheduleIdParamsSchema = z.strictObject({ id: z.string().regex(SCHEDULE_ID_PATTERN).meta({ description: 'A schedule id' }) });

export const missedRunParamsSchema = z.strictObject({
  id: scheduleIdParamsSchema.shape.id,
  /** The missed run's fireTime, as missed-runs lists it; the schema the missed-run service checks it with. */
  fireTime: fireTimeSchema,
});

export const reportListQuerySchema = z.strictObject({
  status: z.enum(REPORT_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
