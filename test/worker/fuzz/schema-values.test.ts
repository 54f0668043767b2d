/**
 * The fuzzer's "valid" values must be valid, or its requests would stop at the first check and
 * the operations behind it would go unfuzzed: every value drawn for a request body or a
 * parameter of the document satisfies its schema.
 */
import { SELF } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonEntries, jsonText, RawJson } from './hostile-values.ts';
import { SchemaSet } from './json-schema.ts';
import { type OpenApiDocument, readOperations } from './operations.ts';
import { ValueGenerator } from './schema-values.ts';
import { ORIGIN } from './world.ts';

const document = (await (await SELF.fetch(`${ORIGIN}/v1/openapi.json`)).json()) as OpenApiDocument;
const schemas = new SchemaSet(document.components.schemas);
const values = new ValueGenerator(schemas, { matching: () => [], foreign: () => [] });

describe('values drawn from the schemas of the document', () => {
  for (const operation of readOperations(document)) {
    const targets = operation.parameters.map((parameter) => ({ name: parameter.name, schema: parameter.schema }));
    if (operation.body && 'schema' in operation.body) targets.push({ name: 'body', schema: operation.body.schema });
    if (targets.length === 0) continue;
    // URLs are drawn with a filter (scheme, length): slow on a busy machine, never endless.
    it(`satisfy ${operation.id}`, { timeout: 30_000 }, () => {
      for (const { name, schema } of targets) {
        for (const value of fc.sample(values.valid(schema), { numRuns: 25, seed: 7 })) {
          expect(schemas.errors(schema, value), `${name}: ${JSON.stringify(value)}`).toEqual([]);
        }
      }
    });
  }
});

describe('the JSON text of hostile values', () => {
  it('keeps what JSON.stringify cannot write', () => {
    const text = jsonText(
      new JsonEntries([
        ['__proto__', new RawJson('-0')],
        ['a', 1],
        ['a', [new RawJson('1e400')]],
      ]),
    );
    expect(text).toBe('{"__proto__":-0,"a":1,"a":[1e400]}');
  });
});
