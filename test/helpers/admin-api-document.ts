import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { adminRouteFor } from '../../src/http/contract/admin-answers.js';
import { buildApiDocument, openApiPath, type JsonObject } from '../../src/http/contract/openapi.js';
import { packageVersion } from '../../src/package-version.js';

/**
 * Holds admin answers to the API document as GET /admin/openapi.json serves it (the same builder
 * and version; admin-contract.test.ts checks that the served one is this one). Each answer's
 * body is validated with Ajv (JSON Schema 2020-12, OpenAPI 3.1's dialect) against the schema the
 * document gives for its path, method and status, so the document cannot say other than the code does.
 */

// ajv-formats is CommonJS: under NodeNext its default import is module.exports, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

export const apiDocument: JsonObject = buildApiDocument(packageVersion());

const DOCUMENT_ID = 'urn:report-relay:admin-api';
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
// The document's own fields, which are OpenAPI's and not JSON Schema keywords; schemas are reached inside it by JSON pointer.
ajv.addVocabulary(['openapi', 'info', 'servers', 'security', 'tags', 'paths', 'components']);
ajv.addSchema({ ...apiDocument, $id: DOCUMENT_ID });

const pointer = (...segments: string[]) => segments.map((segment) => `/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
const validators = new Map<string, ValidateFunction>();

function validatorAt(path: string): ValidateFunction {
  let validate = validators.get(path);
  if (!validate) {
    validate = ajv.compile({ $ref: `${DOCUMENT_ID}#${path}` });
    validators.set(path, validate);
  }
  return validate;
}

interface DocumentResponse {
  content?: Record<string, { schema?: unknown }>;
}

/** The response the document gives for this answer (the `default` one for an unlisted status), and where it is. */
function documentedResponse(method: string, path: string, status: number): { at: string[]; response: DocumentResponse } | string {
  const route = adminRouteFor(method, path);
  if (!route) return status >= 400 ? { at: ['components', 'schemas', 'ErrorAnswer'], response: {} } : `no route for ${method} ${path} in the document`;
  // as: the document's shape is OpenAPI's; only the fields read here are named.
  const operation = (apiDocument.paths as Record<string, Record<string, { responses: Record<string, DocumentResponse> }>>)[openApiPath(route.path)]?.[
    method.toLowerCase()
  ];
  if (!operation) return `the document has no ${method} ${openApiPath(route.path)}`;
  const key = String(status) in operation.responses ? String(status) : status >= 400 && 'default' in operation.responses ? 'default' : null;
  if (key === null) return `the document lists no ${status} answer for ${method} ${openApiPath(route.path)}`;
  const response = operation.responses[key];
  if (!response) return `the document lists no ${status} answer for ${method} ${openApiPath(route.path)}`;
  return { at: ['paths', openApiPath(route.path), method.toLowerCase(), 'responses', key], response };
}

/** What is wrong with an answer by the document: [] when it is what the document says. */
export function documentProblemsWith(method: string, path: string, status: number, contentType: string, bytes: Buffer): string[] {
  const found = documentedResponse(method, path, status);
  if (typeof found === 'string') return [found];
  const { at, response } = found;
  if (at[0] === 'components') return bodyProblems(pointer(...at), contentType, bytes);
  const types = Object.keys(response.content ?? {});
  if (types.length === 0) return bytes.length === 0 ? [] : [`the document says no body, got ${bytes.length} bytes`];
  const type = types.find((candidate) => contentType.startsWith(candidate));
  if (type === undefined) return [`the document says ${types.join(' or ')}, got ${contentType || 'no content type'}`];
  if (response.content?.[type]?.schema === undefined) return [];
  return bodyProblems(pointer(...at, 'content', type, 'schema'), contentType, bytes);
}

function bodyProblems(schemaPath: string, contentType: string, bytes: Buffer): string[] {
  if (!contentType.startsWith('application/json')) return [`the document says JSON, got ${contentType || 'no content type'}`];
  return documentProblemsOfBody(schemaPath, JSON.parse(bytes.toString('utf8')));
}

/** Validates a value against the schema at a JSON pointer into the document. */
export function documentProblemsOfBody(schemaPath: string, body: unknown): string[] {
  const validate = validatorAt(schemaPath);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => `document: ${error.instancePath || '(body)'} ${error.message ?? error.keyword}`);
}

/** The JSON pointer of an answer's schema in the document, e.g. for GET /admin/reports 200. */
export function answerSchemaPointer(method: string, routePath: string, status: number | 'default'): string {
  return pointer('paths', openApiPath(routePath), method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema');
}
