import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import { describeIssues } from '../../src/errors.js';
import { instancePatchSchema, reportConfigSchema, reportOptionsSchema } from '../../src/losant/request-schemas.js';
import { validateLosant, type LosantSchemaName } from '../helpers/losant-schemas.js';

/**
 * The bodies we send must be refused here whenever Losant's own schema refuses them, so a bad
 * value gets our 400 naming the field instead of Losant's. Every bound in Losant's schemas
 * (minimum, maximum, maxLength, maxItems) is probed at its edge and one step past it, and our
 * zod schema must judge each probe as Losant's schema does.
 */

interface JsonSchema {
  type?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

const FIXTURES = new URL('../fixtures/losant/', import.meta.url);
const losantSchema = (name: LosantSchemaName) => JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as JsonSchema;

const CRON = '0 4 1 * *';

/** A string of exactly `length` characters that satisfies `format`. */
function stringOf(length: number, format: string | undefined): string {
  if (format === 'email') return `${'a'.repeat(length - '@example.com'.length)}@example.com`;
  if (format === 'uri') return `https://example.com/${'a'.repeat(length - 'https://example.com/'.length)}`;
  return 'x'.repeat(length);
}

function itemOf(schema: JsonSchema | undefined, index: number): unknown {
  if (schema?.type === 'string' && schema.format === 'email') return `u${index}@example.com`;
  if (schema?.type === 'object') return { cron: CRON };
  throw new Error(`no item generator for ${JSON.stringify(schema)}`);
}

/** Values at each bound of a property and one step beyond it. */
function probes(schema: JsonSchema): unknown[] {
  const values: unknown[] = [];
  if (schema.minimum !== undefined) values.push(schema.minimum - 1, schema.minimum);
  if (schema.maximum !== undefined) values.push(schema.maximum, schema.maximum + 1);
  if (schema.maxLength !== undefined) values.push(stringOf(schema.maxLength, schema.format), stringOf(schema.maxLength + 1, schema.format));
  if (schema.maxItems !== undefined) {
    for (const count of [schema.maxItems, schema.maxItems + 1]) values.push(Array.from({ length: count }, (_, index) => itemOf(schema.items, index)));
  }
  return values;
}

/** Every bounded property, as the path to it (array items as index 0). */
function* boundedProperties(schema: JsonSchema, path: Array<string | number> = []): Generator<{ path: Array<string | number>; schema: JsonSchema }> {
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const here = [...path, name];
    if (property.type === 'object') yield* boundedProperties(property, here);
    if (probes(property).length > 0) yield { path: here, schema: property };
    if (property.type === 'array' && property.items?.type === 'string' && probes(property.items).length > 0)
      yield { path: [...here, 0], schema: property.items };
  }
}

function withValue(base: Record<string, unknown>, path: Array<string | number>, value: unknown): Record<string, unknown> {
  const document = structuredClone(base);
  let node: Record<string | number, unknown> = document;
  path.forEach((key, index) => {
    if (index === path.length - 1) {
      node[key] = value;
      return;
    }
    node[key] ??= typeof path[index + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  });
  return document;
}

const BODIES: Array<{ name: LosantSchemaName; ours: z.ZodType; base: Record<string, unknown> }> = [
  { name: 'instancePatch', ours: instancePatchSchema, base: {} },
  { name: 'instanceReportConfig', ours: reportConfigSchema, base: { cron: CRON } },
  { name: 'instanceReportOptionsPost', ours: reportOptionsSchema, base: {} },
];

describe("request bodies are bounded as Losant's schemas bound them", () => {
  for (const body of BODIES) {
    test(`${body.name}: every bound is enforced at its edge`, () => {
      const bounded = [...boundedProperties(losantSchema(body.name))];
      assert.ok(bounded.length > 0, 'the schema has bounds to probe');
      for (const { path, schema } of bounded) {
        for (const value of probes(schema)) {
          const document = withValue(body.base, path, value);
          const losantAccepts = validateLosant(body.name, document) === null;
          const ours = body.ours.safeParse(document);
          const shown = typeof value === 'string' || Array.isArray(value) ? `length ${value.length}` : String(value);
          assert.equal(
            ours.success,
            losantAccepts,
            `${path.join('.')} = ${shown}: Losant ${losantAccepts ? 'accepts' : 'refuses'} it, we ${ours.success ? 'accept' : 'refuse'} it`,
          );
          if (!ours.success) {
            assert.ok(
              describeIssues(ours.error.issues).some((problem) => problem.startsWith(`${path.join('.')}:`)),
              `the refusal names ${path.join('.')}: ${describeIssues(ours.error.issues).join('; ')}`,
            );
          }
        }
      }
    });
  }

  test('orgDefaultLimitConfig: dataTTL below a day and systemInterval outside 5..3600 are refused by name', () => {
    const problems = (config: Record<string, number>) => {
      const result = instancePatchSchema.safeParse({ orgDefaultLimitConfig: config });
      return result.success ? [] : describeIssues(result.error.issues);
    };
    assert.deepEqual(problems({ dataTTL: 86_399, systemInterval: 4 }), [
      'orgDefaultLimitConfig.dataTTL: must be at least 86400',
      'orgDefaultLimitConfig.systemInterval: must be from 5 to 3600',
    ]);
    assert.deepEqual(problems({ systemInterval: 3601 }), ['orgDefaultLimitConfig.systemInterval: must be from 5 to 3600']);
    assert.deepEqual(problems({ dataTTL: 86_400, systemInterval: 5, device: 0 }), []);
    assert.deepEqual(problems({ systemInterval: 3600 }), []);
  });
});
