import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import {
  ADMIN_ROUTES,
  SHARED_FAILURES,
  errorAnswerSchema,
  refusedRequestAnswerSchema,
  reportAnswerSchema,
  scheduleAnswerSchema,
  type AdminRoute,
  type AnswerBody,
} from './admin-answers.js';
import { missedRunViewSchema } from './missed-run-view.js';
import { rejectedCallbackViewSchema } from './rejected-callback-view.js';
import { reportListItemSchema, reportViewSchema } from './report-view.js';
import { scheduleViewSchema } from './schedule-view.js';

/**
 * The admin API as an OpenAPI 3.1 document, made from ADMIN_ROUTES: the same zod objects the
 * routes parse requests with and the tests hold answers to, turned into JSON Schema by zod itself
 * (z.toJSONSchema). Nothing here describes a route by hand, so the document follows the code.
 */

export type JsonObject = Record<string, unknown>;

/** The shapes a client meets in many answers, named in components.schemas. */
const NAMED_SCHEMAS: ReadonlyArray<[z.ZodType, string]> = [
  [errorAnswerSchema, 'ErrorAnswer'],
  [refusedRequestAnswerSchema, 'RefusedRequestAnswer'],
  [reportAnswerSchema, 'ReportAnswer'],
  [scheduleAnswerSchema, 'ScheduleAnswer'],
  [reportViewSchema, 'Report'],
  [reportListItemSchema, 'ReportListItem'],
  [scheduleViewSchema, 'Schedule'],
  [missedRunViewSchema, 'MissedRun'],
  [rejectedCallbackViewSchema, 'RejectedCallback'],
];

const COMPONENT = '#/components/schemas/';
/** The headers a kept callback body is served with (see src/http/routes/admin-reports.ts). */
const DOWNLOAD_HEADERS = {
  'Content-Disposition': { description: 'attachment, with a file name', schema: { type: 'string' } },
  'X-Original-Content-Type': { description: 'The Content-Type the body was sent with ("none" when it had none)', schema: { type: 'string' } },
  'X-Original-Content-Encoding': { description: 'The Content-Encoding the body was sent and is kept with ("identity" when plain)', schema: { type: 'string' } },
};

/** A schema of the document: the JSON Schema dialect is the document's (OpenAPI 3.1: 2020-12), so no `$schema` or `$id` of its own. */
function plain(schema: JsonObject): JsonObject {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

/** A request schema as JSON Schema: what a client may send (defaults make fields optional). */
const requestJsonSchema = (schema: z.ZodType): JsonObject => plain(z.toJSONSchema(schema, { io: 'input' }));

/** Every answer body schema, named: NAMED_SCHEMAS, then each route's answers by operation and status. */
function answerComponents(routes: readonly AdminRoute[]): { names: Map<z.ZodType, string>; schemas: JsonObject } {
  const names = new Map<z.ZodType, string>(NAMED_SCHEMAS);
  const name = (schema: AnswerBody, wanted: string) => {
    if (typeof schema !== 'string' && !names.has(schema)) names.set(schema, wanted);
  };
  for (const route of routes) {
    for (const [status, body] of Object.entries(route.answers)) name(body, `${route.operationId}${status}`);
    if (route.errors) name(route.errors, `${route.operationId}Error`);
  }
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of names) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io: 'output', uri: (id) => `${COMPONENT}${id}` });
  return { names, schemas: Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, plain(schema)])) };
}

/** Express's `/a/:id` as OpenAPI's `/a/{id}`. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z][A-Za-z0-9]*)/gu, '{$1}');

function parameters(route: AdminRoute): JsonObject[] {
  const from = (schema: z.ZodObject | undefined, where: 'path' | 'query'): JsonObject[] => {
    if (!schema) return [];
    const object = requestJsonSchema(schema);
    // as: z.toJSONSchema of an object schema has properties and, when any is required, their names.
    const { properties = {}, required = [] } = object as { properties?: Record<string, JsonObject>; required?: string[] };
    return Object.entries(properties).map(([name, property]) => ({
      name,
      in: where,
      required: where === 'path' || required.includes(name),
      ...(typeof property.description === 'string' ? { description: property.description } : {}),
      schema: property,
    }));
  };
  return [...from(route.request?.params, 'path'), ...from(route.request?.query, 'query')];
}

function operation(route: AdminRoute, names: Map<z.ZodType, string>): JsonObject {
  const ref = (schema: z.ZodType) => ({ $ref: `${COMPONENT}${names.get(schema) ?? 'ErrorAnswer'}` });
  const describe = (status: number | string) => STATUS_CODES[Number(status)] ?? 'Error';
  const responses: JsonObject = {};
  for (const [status, body] of Object.entries(route.answers)) {
    if (body === 'empty') responses[status] = { description: describe(status) };
    else if (body === 'binary') responses[status] = { description: describe(status), headers: DOWNLOAD_HEADERS, content: { 'application/octet-stream': {} } };
    else responses[status] = { description: describe(status), content: { 'application/json': { schema: ref(body) } } };
  }
  const error = { content: { 'application/json': { schema: ref(route.errors ?? errorAnswerSchema) } } };
  for (const status of [...new Set([...route.failures, ...SHARED_FAILURES])].sort((a, b) => a - b)) {
    responses[String(status)] = { description: describe(status), ...error };
  }
  responses.default = { description: 'Any other error', ...error };
  const body = route.request?.body;
  const params = parameters(route);
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.path.split('/')[2] ?? 'admin'],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body ? { requestBody: { required: route.request?.bodyOptional !== true, content: { 'application/json': { schema: requestJsonSchema(body) } } } } : {}),
    responses,
  };
}

/** The admin API's OpenAPI 3.1 document. */
export function buildApiDocument(version: string, routes: readonly AdminRoute[] = ADMIN_ROUTES): JsonObject {
  const { names, schemas } = answerComponents(routes);
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const path = (paths[openApiPath(route.path)] ??= {});
    path[route.method.toLowerCase()] = operation(route, names);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'report-relay admin API',
      version,
      description:
        'Requests Losant instance usage reports and manages their schedules. Errors are {"error": {"code", "message", "details"?}}; see the README, Admin API.',
    },
    servers: [{ url: '/', description: 'The service this document was read from' }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'reports', description: 'Reports asked of Losant and what became of them' },
      { name: 'schedules', description: "Scheduled reports: the instance's report configs this service manages" },
      { name: 'insights', description: "Insights across reports: organizations' monthly trends" },
      { name: 'openapi.json', description: 'This document' },
    ],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' } },
      schemas,
    },
  };
}
