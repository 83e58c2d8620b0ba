import { z } from 'zod';
import { missedRunViewSchema } from './missed-run-view.js';
import { rejectedCallbackViewSchema } from './rejected-callback-view.js';
import { reportListItemSchema, reportViewSchema } from './report-view.js';
import { scheduleViewSchema } from './schedule-view.js';

/**
 * The admin API's answers, route by route: the contract the tests hold every answer to, and what
 * a description of the API is made from. A status a route does not list answers with the error
 * shape. Routes use Express's path syntax.
 */

export const errorAnswerSchema = z.strictObject({
  error: z.strictObject({
    /** Stable, for programs: see README, Admin API. */
    code: z.string(),
    message: z.string(),
    /** Which fields were wrong, for validation errors. */
    details: z.unknown().optional(),
  }),
});

/** A report request Losant refused or that could not reach it: the error, and the report as recorded. */
const refusedRequestAnswerSchema = z.strictObject({ error: errorAnswerSchema.shape.error, report: reportViewSchema });
const reportAnswerSchema = z.strictObject({ report: reportViewSchema });
const scheduleAnswerSchema = z.strictObject({ schedule: scheduleViewSchema });

/** A body that is not JSON (`binary`) or none at all (`empty`). */
export type AnswerBody = z.ZodType | 'binary' | 'empty';

export interface AdminRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  summary: string;
  /** Status -> body. Statuses not listed here answer with errorAnswerSchema (or `errors`, where given). */
  answers: Readonly<Record<number, AnswerBody>>;
  /** The body of this route's error answers, when it is not the plain error shape. */
  errors?: z.ZodType;
}

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  {
    method: 'POST',
    path: '/admin/reports',
    summary: 'Request a report from Losant',
    answers: { 202: reportAnswerSchema },
    // Refused by Losant: the report is recorded as failed and shown; a bad request body is refused before.
    errors: z.union([refusedRequestAnswerSchema, errorAnswerSchema]),
  },
  {
    method: 'GET',
    path: '/admin/reports',
    summary: 'List reports, newest first, without their summaries',
    answers: {
      200: z.strictObject({
        items: z.array(reportListItemSchema),
        total: z.number().int().nonnegative(),
        offset: z.number().int().nonnegative(),
        limit: z.number().int().positive(),
        nextOffset: z.number().int().nonnegative().nullable(),
      }),
    },
  },
  { method: 'GET', path: '/admin/reports/:id', summary: 'One report in full', answers: { 200: reportAnswerSchema } },
  { method: 'GET', path: '/admin/reports/:id/callback', summary: 'The callback body as kept', answers: { 200: 'binary' } },
  {
    method: 'GET',
    path: '/admin/reports/:id/rejected-callbacks',
    summary: 'Callbacks that authenticated but were refused',
    answers: { 200: z.strictObject({ items: z.array(rejectedCallbackViewSchema) }) },
  },
  {
    method: 'GET',
    path: '/admin/reports/:id/rejected-callbacks/:sha256',
    summary: 'The body of a refused callback, as it arrived',
    answers: { 200: 'binary' },
  },
  {
    method: 'POST',
    path: '/admin/reports/:id/re-request',
    summary: 'Ask Losant again for an overdue report, as a new report linked to it',
    answers: { 202: reportAnswerSchema },
    errors: z.union([refusedRequestAnswerSchema, errorAnswerSchema]),
  },
  {
    method: 'POST',
    path: '/admin/reports/:id/retry',
    summary: 'Run a failed or unrecognized report again',
    answers: {
      202: z.strictObject({ report: reportViewSchema, started: z.literal(true) }),
      200: z.strictObject({ report: reportViewSchema, started: z.literal(false) }),
    },
  },
  {
    method: 'GET',
    path: '/admin/schedules',
    summary: 'The schedules this service manages',
    answers: { 200: z.strictObject({ items: z.array(scheduleViewSchema), unmanagedConfigs: z.number().int().nonnegative() }) },
  },
  { method: 'POST', path: '/admin/schedules', summary: 'Create a schedule', answers: { 201: scheduleAnswerSchema } },
  { method: 'GET', path: '/admin/schedules/:id', summary: 'One schedule', answers: { 200: scheduleAnswerSchema } },
  { method: 'PUT', path: '/admin/schedules/:id', summary: 'Change a schedule', answers: { 200: scheduleAnswerSchema } },
  { method: 'DELETE', path: '/admin/schedules/:id', summary: 'Delete a schedule', answers: { 204: 'empty' } },
  {
    method: 'POST',
    path: '/admin/schedules/:id/rotate-secret',
    summary: "Give a schedule's callback URL a new secret",
    answers: { 200: scheduleAnswerSchema },
  },
  {
    method: 'GET',
    path: '/admin/schedules/:id/missed-runs',
    summary: 'Runs of a schedule whose callback did not arrive in time, newest first',
    answers: { 200: z.strictObject({ items: z.array(missedRunViewSchema) }) },
  },
  {
    method: 'POST',
    path: '/admin/schedules/:id/missed-runs/:fireTime/re-request',
    summary: "Ask Losant again for a missed run's period, with the schedule's options",
    answers: { 202: z.strictObject({ missedRun: missedRunViewSchema, report: reportViewSchema }) },
    // Refused by Losant: the report is recorded as failed and shown (the run can be re-requested again).
    errors: z.union([refusedRequestAnswerSchema, errorAnswerSchema]),
  },
];

const patternOf = (path: string) => new RegExp(`^${path.replace(/:[A-Za-z][A-Za-z0-9]*/gu, '[^/]+')}$`, 'u');

/** The route an admin request went to, or undefined. */
export function adminRouteFor(method: string, path: string): AdminRoute | undefined {
  return ADMIN_ROUTES.find((route) => route.method === method && patternOf(route.path).test(path));
}

/** The body an answer with this status must have on this route; undefined: the route never answers so. */
export function answerBodyFor(route: AdminRoute, status: number): AnswerBody | undefined {
  return route.answers[status] ?? (status >= 400 ? (route.errors ?? errorAnswerSchema) : undefined);
}
