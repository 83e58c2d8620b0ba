import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Validates a value against one of Losant's own JSON schemas (the draft-07 copies in
 * test/fixtures/losant, MIT-licensed, from losant-rest-js). Tests use it so that neither the
 * simulator nor the client can drift from what Losant documents.
 */

const FIXTURES = fileURLToPath(new URL('../fixtures/losant/', import.meta.url));

// ajv-formats is CommonJS: under NodeNext its default import is module.exports, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

export type LosantSchemaName =
  | 'applicationJobLog'
  | 'deviceCounts'
  | 'error'
  | 'historicalSummaries'
  | 'instance'
  | 'instancePatch'
  | 'instanceReportConfig'
  | 'instanceReportOptionsPost'
  | 'jobEnqueuedApiResult'
  | 'notebookMinuteCounts'
  | 'notificationRuleDeliveryLogs'
  | 'payloadCountsBreakdown'
  | 'payloadStats'
  | 'success';

// strict: false because Losant's schemas carry a few keywords Ajv's strict mode rejects.
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validators = new Map<string, ValidateFunction>();

export const LOSANT_SCHEMA_NAMES: string[] = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json') && name !== 'instanceEndpoints.json')
  .map((name) => name.slice(0, -'.json'.length));

function validatorFor(name: LosantSchemaName): ValidateFunction {
  let validate = validators.get(name);
  if (validate === undefined) {
    const schema = JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8')) as object;
    validate = ajv.compile(schema);
    validators.set(name, validate);
  }
  return validate;
}

/** Ajv's errors when `value` does not match Losant's schema `schemaName`, or null when it does. */
export function validateLosant(schemaName: LosantSchemaName, value: unknown): ErrorObject[] | null {
  const validate = validatorFor(schemaName);
  return validate(value) ? null : [...(validate.errors ?? [])];
}

/** Losant's example document for a schema (test/fixtures/losant/examples). */
export function losantExample(schemaName: LosantSchemaName): unknown {
  return JSON.parse(readFileSync(`${FIXTURES}examples/${schemaName}.json`, 'utf8')) as unknown;
}
