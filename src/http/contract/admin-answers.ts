import { z } from 'zod';
import { reportRequestSchema } from '../../reports/request-report.js';
import { createScheduleSchema, rotateSecretSchema, updateScheduleSchema } from '../../schedules/schedule.js';
import { missedRunParamsSchema, rejectedCallbackParamsSchema, reportIdParamsSchema, reportListQuerySchema, scheduleIdParamsSchema } from './admin-requests.js';
import { missedRunViewSchema } from './missed-run-view.js';
import { rejectedCallbackViewSchema } from './rejected-callback-view.js';
import { reportListItemSchema, reportViewSchema } from './report-view.js';
import { scheduleViewSchema } from './schedule-view.js';
import { backfillRequestSchema } from '../../trends/backfill.js';

/**
 * The admin API, route by route: what each accepts (the schemas the routes parse with) and
 * answers. It is the contract the tests hold every answer to, and what the API document
 * (openapi.ts, served at GET /admin/openapi.json) is made from. A status a route does not list
 * answers with the error shape. Routes use Express's path syntax.
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
export const refusedRequestAnswerSchema = z.strictObject({ error: errorAnswerSchema.shape.error, report: reportViewSchema });
export const reportAnswerSchema = z.strictObject({ report: reportViewSchema });
export const scheduleAnswerSchema = z.strictObject({ schedule: scheduleViewSchema });
/** The API document's outline; its full shape is OpenAPI 3.1's own (the tests check it with an OpenAPI validator). */
const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

/** A body that is not JSON (`binary`) or none at all (`empty`). */
export type AnswerBody = z.ZodType | 'binary' | 'empty';

/** What a route reads from its request; the route parses with these very objects. */
export interface AdminRequest {
  /** Path parameters, by name (Express's `:name`). */
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** A JSON body. */
  body?: z.ZodType;
  /** Whether the body may be left out (it is then read as `{}`); true unless said. */
  bodyOptional?: boolean;
}

/** Error statuses every admin route may answer: no or a wrong token, too many requests, a fault, Redis unreachable. */
export const SHARED_FAILURES = [401, 429, 500, 503] as const;

/** Error statuses of a route that asks Losant: a request Losant refused (400), Losant failed, busy or silent. */
const LOSANT_FAILURES = [400, 502, 503, 504];
/** Error statuses of a route with a JSON body: not valid (400), too large (413). */
const BODY_FAILURES = [400, 413];

export interface AdminRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Stable name of the operation in the API document (a generated client's method name). */
  operationId: string;
  summary: string;
  request?: AdminRequest;
  /** Error statuses this route answers besides SHARED_FAILURES, with `errors` (or the error shape). */
  failures: readonly number[];
  /** Status -> body. Statuses not listed here answer with errorAnswerSchema (or `errors`, where given). */
  answers: Readonly<Record<number, AnswerBody>>;
  /** The body of this route's error answers, when it is not the plain error shape. */
  errors?: z.ZodType;
}

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  {
    method: 'POST',
    path: '/admin/reports',
    operationId: 'requestReport',
    summary: 'Request a report from Losant',
    request: { body: reportRequestSchema, bodyOptional: true },
    answers: { 202: reportAnswerSchema },
    failures: [...BODY_FAILURES, ...LOSANT_FAILURES],
    // Refused by Losant: the report is recorded as failed and shown; a bad request body is refused before.
    errors: z.union([refusedRequestAnswerSchema, errorAnswerSchema]),
  },
  {
    method: 'GET',
    path: '/admin/reports',
    operationId: 'listReports',
    summary: 'List reports, newest first, without their summaries',
    request: { query: reportListQuerySchema },
    answers: {
      200: z.strictObject({
        items: z.array(reportListItemSchema),
        total: z.number().int().nonnegative(),
        offset: z.number().int().nonnegative(),
        limit: z.number().int().positive(),
        nextOffset: z.number().int().nonnegative().nullable(),
      }),
    },
    failures: [400],
  },
  {
    method: 'GET',
    path: '/admin/reports/:id',
    operationId: 'getReport',
    summary: 'One report in full',
    request: { params: reportIdParamsSchema },
    answers: { 200: reportAnswerSchema },
    failures: [404],
  },
  {
    method: 'GET',
    path: '/admin/reports/:id/callback',
    operationId: 'getReportCallback',
    summary: 'The callback body as kept',
    request: { params: reportIdParamsSchema },
    answers: { 200: 'binary' },
    failures: [404],
  },
  {
    method: 'GET',
    path: '/admin/reports/:id/rejected-callbacks',
    operationId: 'listRejectedCallbacks',
    summary: 'Callbacks that authenticated but were refused',
    request: { params: reportIdParamsSchema },
    answers: { 200: z.strictObject({ items: z.array(rejectedCallbackViewSchema) }) },
    failures: [404],
  },
  {
    method: 'GET',
    path: '/admin/reports/:id/rejected-callbacks/:sha256',
    operationId: 'getRejectedCallback',
    summary: 'The body of a refused callback, as it arrived',
    request: { params: rejectedCallbackParamsSchema },
    answers: { 200: 'binary' },
    failures: [404],
  },
  {
    method: 'POST',
    path: '/admin/reports/:id/re-request',
    operationId: 'reRequestReport',
    summary: 'Ask Losant again for an overdue report, as a new report linked to it',
    request: { params: reportIdParamsSchema },
    answers: { 202: reportAnswerSchema },
    failures: [404, 409, ...LOSANT_FAILURES],
    errors: z.union([refusedRequestAnswerSchema, errorAnswerSchema]),
  },
  {
    method: 'POST',
    path: '/admin/reports/:id/retry',
    operationId: 'retryReport',
    summary: 'Run a failed or unrecognized report again',
    request: { params: reportIdParamsSchema },
    answers: {
      202: z.strictObject({ report: reportViewSchema, started: z.literal(true) }),
      200: z.strictObject({ report: reportViewSchema, started: z.literal(false) }),
    },
    failures: [404, 409],
  },
  {
    method: 'GET',
    path: '/admin/schedules',
    operationId: 'listSchedules',
    summary: 'The schedules this service manages',
    answers: { 200: z.strictObject({ items: z.array(scheduleViewSchema), unmanagedConfigs: z.number().int().nonnegative() }) },
    failures: LOSANT_FAILURES,
  },
  {
    method: 'POST',
    path: '/admin/schedules',
    operationId: 'createSchedule',
    summary: 'Create a schedule',
    request: { body: createScheduleSchema, bodyOptional: false },
    answers: { 201: scheduleAnswerSchema },
    failures: [...BODY_FAILURES, ...LOSANT_FAILURES],
  },
  {
    method: 'GET',
    path: '/admin/schedules/:id',
    operationId: 'getSchedule',
    summary: 'One schedule',
    request: { params: scheduleIdParamsSchema },
    answers: { 200: scheduleAnswerSchema },
    failures: [404, ...LOSANT_FAILURES],
  },
  {
    method: 'PUT',
    path: '/admin/schedules/:id',
    operationId: 'updateSchedule',
    summary: 'Change a schedule',
    request: { params: scheduleIdParamsSchema, body: updateScheduleSchema },
    answers: { 200: scheduleAnswerSchema },
    failures: [404, ...BODY_FAILURES, ...LOSANT_FAILURES],
  },
  {
    method: 'DELETE',
    path: '/admin/schedules/:id',
    operationId: 'deleteSchedule',
    summary: 'Delete a schedule',
    request: { params: scheduleIdParamsSchema },
    answers: { 204: 'empty' },
    failures: [404, ...LOSANT_FAILURES],
  },
  {
    method: 'POST',
    path: '/admin/schedules/:id/rotate-secret',
    operationId: 'rotateScheduleSecret',
    summary: "Give a schedule's callback URL a new secret",
    request: { params: scheduleIdParamsSchema, body: rotateSecretSchema, bodyOptional: true },
    answers: { 200: scheduleAnswerSchema },
    failures: [404, ...BODY_FAILURES, ...LOSANT_FAILURES],
  },
  {
    method: 'GET',
    path: '/admin/schedules/:id/missed-runs',
    operationId: 'listMissedRuns',
    summary: 'Runs of a schedule whose callback did not arrive in time, newest first',
    request: { params: scheduleIdParamsSchema },
    answers: { 200: z.strictObject({ items: z.array(missedRunViewSchema) }) },
    failures: [404],
  },
  {
    method: 'POST',
    path: '/admin/schedules/:id/missed-runs/:fireTime/re-request',
    operationId: 'reRequestMissedRun',
    summary: "Ask Losant again for a missed run's period, with the schedule's options",
    request: { params: missedRunParamsSchema },
    answers: { 202: z.strictObject({ missedRun: missedRunViewSchema, report: reportViewSchema }) },
    failures: [404, 409, ...LOSANT_FAILURES],
    // Refused by Losant: the report is recorded as failed and shown (the run can be re-requested again).
    errors: z.union([refusedRequestAnswerSchema, errorAnswerSchema]),
  },
  {
    method: 'POST',
    path: '/admin/insights/backfill',
    operationId: 'backfillTrends',
    summary: "Write organizations' monthly points from Losant's historicalSummaries for the last complete months",
    request: { body: backfillRequestSchema, bodyOptional: true },
    answers: {
      200: z.strictObject({
        backfill: z.strictObject({
          months: z.array(
            z.strictObject({
              month: z.string().regex(/^\d{4}-\d{2}$/u),
              organizations: z.number().int().nonnegative(),
              truncated: z.boolean(),
            }),
          ),
          organizations: z.number().int().nonnegative(),
          points: z.number().int().nonnegative(),
        }),
      }),
    },
    // Losant failed on a month: the error names it (the months before it were written).
    failures: [...BODY_FAILURES, ...LOSANT_FAILURES],
  },
  {
    method: 'GET',
    path: '/admin/openapi.json',
    operationId: 'getApiDocument',
    summary: 'This description of the admin API (OpenAPI 3.1)',
    answers: { 200: openApiDocumentSchema },
    failures: [],
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
