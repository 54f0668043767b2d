/** The OpenAPI document: valid 3.1, complete, self-contained, and faithful to the zod schemas. */
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ROUTE_LIST } from '../../shared/api/routes.ts';
import { ERROR_CODES } from '../../shared/errors.ts';
import { buildOpenApiDocument } from '../../worker/http/openapi/document.ts';
import { ERROR_DESCRIPTIONS } from '../../worker/http/openapi/error-responses.ts';

type Json = Record<string, unknown>;

const doc = JSON.parse(JSON.stringify(buildOpenApiDocument())) as Json;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function operations(): Array<{ where: string; op: Json }> {
  const result: Array<{ where: string; op: Json }> = [];
  for (const group of ['paths', 'webhooks'] as const) {
    for (const [path, item] of Object.entries(doc[group] as Record<string, Json>)) {
      for (const method of METHODS) {
        const op = item[method] as Json | undefined;
        if (op) result.push({ where: `${group} ${method.toUpperCase()} ${path}`, op });
      }
    }
  }
  return result;
}

function resolvePointer(ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refsIn(item, found);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsIn(value, found);
    }
  }
  return found;
}

/** Ajv over the document's own components, so a schema's `$ref`s resolve as a reader's would. */
function bodyValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  // `components` is no JSON Schema keyword; everything under it is reached only through `$ref`.
  ajv.addKeyword({ keyword: 'components' });
  ajv.addSchema({ $id: 'urn:till:openapi', components: doc.components });
  return (ref: string) => ajv.compile({ $ref: `urn:till:openapi${ref}` });
}

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(doc.openapi).toBe('3.1.0');
  });

  it('gives every operation an id, a summary, a 2xx and an error response', () => {
    const ids = new Set<string>();
    for (const { where, op } of operations()) {
      expect(op.operationId, where).toEqual(expect.any(String));
      expect(ids.has(op.operationId as string), `${where}: operationId used twice`).toBe(false);
      ids.add(op.operationId as string);
      expect(op.summary, where).toEqual(expect.any(String));
      const statuses = Object.keys(op.responses as Json);
      // A WebSocket's success is 101 Switching Protocols; a return from a processor's page, 303 See Other.
      expect(
        statuses.some((status) => /^(2(\d\d|XX)|101|303)$/.test(status)),
        `${where}: no 2xx`,
      ).toBe(true);
      if (where.startsWith('paths'))
        expect(
          statuses.some((status) => /^[45]\d\d$/.test(status)),
          `${where}: no error`,
        ).toBe(true);
    }
    expect(ids.size).toBe(ROUTE_LIST.length + 1);
  });

  it('resolves every $ref inside the document', () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(50);
    const broken = [...new Set(refs)].filter((ref) => resolvePointer(ref) === undefined);
    expect(broken).toEqual([]);
  });

  it('documents every error code in the envelope', () => {
    const error = (resolvePointer('#/components/schemas/Error/properties/error/properties/code') ?? {}) as Json;
    expect(error.enum).toEqual(Object.keys(ERROR_CODES));
    const undescribed = Object.keys(ERROR_CODES).filter((code) => !Object.hasOwn(ERROR_DESCRIPTIONS, code));
    expect(undescribed, 'describe new codes in worker/http/openapi/error-responses.ts').toEqual([]);
  });

  it('documents the signed-request, idempotency, request-id, rate-limit and metadata conventions', () => {
    const createOrder = (doc.paths as Record<string, Json>)['/v1/orders']?.post as Json;
    const listOrders = (doc.paths as Record<string, Json>)['/v1/orders']?.get as Json;
    expect(refsIn(createOrder.parameters)).toEqual([
      '#/components/parameters/IdempotencyKey',
      '#/components/parameters/TillSignature',
    ]);
    const responses = createOrder.responses as Record<string, Json>;
    expect(Object.keys(responses['201']?.headers as Json)).toEqual(
      expect.arrayContaining(['request-id', 'Idempotent-Replayed']),
    );
    expect(Object.keys(responses['429']?.headers as Json)).toEqual(
      expect.arrayContaining(['request-id', 'Retry-After']),
    );
    expect(listOrders.parameters).toContainEqual(
      expect.objectContaining({ name: 'metadata', in: 'query', style: 'deepObject', explode: true }),
    );
    const webhook = ((doc.webhooks as Record<string, Json>).event?.post ?? {}) as Json;
    expect(refsIn(webhook)).toContain('#/components/schemas/Event');
    expect(resolvePointer('#/components/parameters/WebhookSignature')).toMatchObject({
      name: 'Till-Signature',
      in: 'header',
      required: true,
    });
  });

  // The OpenAPI meta-schema lets any Schema Object through; ajv's strict mode checks them as JSON Schema.
  it('holds only schemas that compile as strict JSON Schema 2020-12', () => {
    const compile = bodyValidator();
    for (const name of Object.keys((doc.components as Json).schemas as Json)) {
      expect(() => compile(`#/components/schemas/${name}`), name).not.toThrow();
    }
    const ajv = new Ajv2020({ strict: true });
    addFormats(ajv);
    for (const { where, op } of operations()) {
      for (const parameter of (op.parameters ?? []) as Json[]) {
        if (parameter.schema)
          expect(() => ajv.compile(parameter.schema as Json), `${where} ${String(parameter.name)}`).not.toThrow();
      }
    }
  });

  it('accepts a create-order body and refuses a bad one, as the zod schema does', () => {
    const validate = bodyValidator()('#/components/schemas/CreateOrderRequest');
    expect(
      validate({ amount: 2900, currency: 'USD', description: 'Tote bag', return_url: 'https://shop.example/done' }),
      JSON.stringify(validate.errors),
    ).toBe(true);
    expect(validate({ amount: 0, currency: 'USD', description: 'Tote bag' })).toBe(false);
    expect(validate({ amount: 2900, currency: 'usd', description: 'Tote bag' })).toBe(false);
    expect(validate({ amount: 2900, currency: 'USD', description: 'Tote bag', colour: 'red' })).toBe(false);
  });

  it('shows only request examples that both the document and the zod schema accept', () => {
    const compile = bodyValidator();
    const withExamples = ROUTE_LIST.filter((route) => route.bodyExample !== undefined);
    expect(withExamples.length).toBeGreaterThan(3);
    for (const route of withExamples) {
      const op = ((doc.paths as Record<string, Json>)[route.path] as Json)[route.method] as Json;
      const media = ((op.requestBody as Json).content as Json)['application/json'] as Json;
      const validate = compile((media.schema as Json).$ref as string);
      expect(validate(route.bodyExample), `${route.operationId}: ${JSON.stringify(validate.errors)}`).toBe(true);
      if (route.body && !('opaque' in route.body))
        expect(route.body.safeParse(route.bodyExample).success, route.operationId).toBe(true);
    }
  });

  it('gives every path parameter a schema and names every path template segment', () => {
    for (const route of ROUTE_LIST) {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect(Object.keys(route.params ?? {}).sort(), route.operationId).toEqual(names.sort());
    }
  });
});
