/**
 * The OpenAPI 3.1 document of the public API, built from the route table and the zod schemas the
 * worker validates with. It imports only shared/ and zod, so Node tools can build it too.
 */

import type { NamedRoute } from '../../../shared/api/routes.ts';
import { ROUTE_LIST } from '../../../shared/api/routes.ts';
import { WebhookEventSchema } from '../../../shared/schemas.ts';
import { ErrorEnvelopeSchema, errorExamples, errorResponses, isRateLimited } from './error-responses.ts';
import { HEADERS, PARAMETERS, queryKeyParameters, SECURITY_SCHEMES, securityOf, TAGS } from './http-components.ts';
import { convertInline, type JsonSchema, SchemaCatalog } from './schema-catalog.ts';

export const OPENAPI_VERSION = '3.1.0';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
  style?: 'deepObject';
  explode?: boolean;
  example?: string;
}

/** Said of routes whose settings serve both modes (`sharedSettings` in the route table). */
const SHARED_SETTINGS_NOTE = 'Once live mode is on, this needs a live secret key: these settings serve both modes.';

type Operation = Record<string, unknown>;

const parameterRef = (name: keyof typeof PARAMETERS) => ({ $ref: `#/components/parameters/${name}` });
const headerRef = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

/** The list conventions every list endpoint shares, described once. */
const LIST_PARAMETER_DESCRIPTIONS: Readonly<Record<string, string>> = {
  limit: 'How many items to return, 1 to 100.',
  starting_after: 'Cursor: the id of the last item you have; returns the page after it.',
  ending_before:
    'Cursor: the id of the first item you have; returns the page before it. Not together with `starting_after`.',
  'created[gt]': 'Only items created after this time (unix seconds).',
  'created[gte]': 'Only items created at or after this time (unix seconds).',
  'created[lt]': 'Only items created before this time (unix seconds).',
  'created[lte]': 'Only items created at or before this time (unix seconds).',
};

/** Moves a schema's description up to the parameter, where documentation tools show it. */
function parameter(
  name: string,
  location: Parameter['in'],
  required: boolean,
  json: JsonSchema,
  description?: string,
): Parameter {
  const { description: schemaDescription, ...schema } = json;
  const text = description ?? (typeof schemaDescription === 'string' ? schemaDescription : undefined);
  return { name, in: location, required, ...(text ? { description: text } : {}), schema };
}

function queryParameters(route: NamedRoute): Parameter[] {
  const result: Parameter[] = [];
  if (route.query) {
    const json = convertInline(route.query, 'input');
    const required = new Set(json.required ?? []);
    // A key the security scheme already documents (`?key=pk_…`) is not listed twice.
    const asSecurity = queryKeyParameters(route.auth);
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      if (typeof property === 'boolean' || asSecurity.has(name)) continue;
      const documented = parameter(name, 'query', required.has(name), property, LIST_PARAMETER_DESCRIPTIONS[name]);
      const example = route.queryExample?.[name];
      result.push(example === undefined ? documented : { ...documented, example });
    }
  }
  for (const deep of route.deepObjectQuery ?? []) {
    const json = convertInline(deep.schema, 'input');
    result.push({
      ...parameter(deep.name, 'query', false, json, deep.description),
      style: 'deepObject',
      explode: true,
    });
  }
  return result;
}

function requestBody(route: NamedRoute, catalog: SchemaCatalog) {
  if (!route.body) return undefined;
  if ('opaque' in route.body) {
    return { required: true, description: route.body.opaque, content: { '*/*': { schema: {} } } };
  }
  const media: Record<string, unknown> = { schema: catalog.request(route.body, `${route.operationId}Request`) };
  if (route.bodyExample) media.examples = { example: { value: route.bodyExample } };
  return { required: route.optionalBody !== true, content: { 'application/json': media } };
}

function operation(route: NamedRoute, catalog: SchemaCatalog): Operation {
  const parameters: (Parameter | { $ref: string })[] = Object.entries(route.params ?? {}).map(([name, spec]) => ({
    ...parameter(name, 'path', true, convertInline(spec.schema, 'input'), spec.description),
    example: spec.example,
  }));
  parameters.push(...queryParameters(route));
  if (route.idempotent) parameters.push(parameterRef('IdempotencyKey'));
  if (route.auth.includes('secret') || route.auth.includes('restricted'))
    parameters.push(parameterRef('TillSignature'));

  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    const headers: Record<string, unknown> = { 'request-id': headerRef('RequestId') };
    if (route.idempotent) headers['Idempotent-Replayed'] = headerRef('IdempotentReplayed');
    if (isRateLimited(route)) headers['RateLimit-Policy'] = headerRef('RateLimitPolicy');
    if (spec.redirect) {
      responses[status] = {
        description: spec.description,
        headers: { ...headers, Location: { schema: convertInline(spec.schema, 'output') } },
      };
      continue;
    }
    const schema = catalog.response(spec.schema, `${route.operationId}Response`);
    responses[status] = {
      description: spec.description,
      headers,
      content: { [spec.contentType ?? 'application/json']: { schema } },
    };
  }
  Object.assign(responses, errorResponses(route));

  const body = requestBody(route, catalog);
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: route.sharedSettings ? `${route.description} ${SHARED_SETTINGS_NOTE}` : route.description,
    tags: [...route.tags],
    security: securityOf(route.auth),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}

function webhooks(catalog: SchemaCatalog) {
  return {
    event: {
      post: {
        operationId: 'receiveEvent',
        summary: 'An order event, sent to your webhook URL',
        description:
          'Till POSTs each event of an order to each of your webhook endpoints that receives it, ' +
          'in order, one at a time per endpoint. ' +
          'Verify `Till-Signature` (HMAC with the endpoint secret, or Ed25519 with the JWKS), ' +
          'then answer 2xx within 10 seconds; anything else (a redirect too) is retried with backoff for three days, ' +
          'and later events of the order wait behind it for that endpoint only.',
        tags: ['Events'],
        parameters: [parameterRef('WebhookSignature')],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: catalog.response(WebhookEventSchema, 'Event') } },
        },
        responses: { '2XX': { description: 'Any 2xx acknowledges the event.' } },
      },
    },
  };
}

export function buildOpenApiDocument(): Record<string, unknown> {
  const catalog = new SchemaCatalog();
  catalog.response(ErrorEnvelopeSchema, 'Error');
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of ROUTE_LIST) {
    const item = paths[route.path] ?? {};
    paths[route.path] = item;
    if (item[route.method]) throw new Error(`two routes for ${route.method.toUpperCase()} ${route.path}`);
    item[route.method] = operation(route, catalog);
  }
  const hooks = webhooks(catalog);
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'Till',
      version: '0.1.0',
      summary: 'Drop-in checkout on Cloudflare Workers.',
      description:
        'Create an order on your server with your secret key, hand its `client_token` to the widget, and ' +
        'receive the outcome by webhook. Every error is `{ error: { type, code, message, param?, request_id } }`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    tags: TAGS,
    paths,
    webhooks: hooks,
    components: {
      schemas: catalog.components(),
      securitySchemes: SECURITY_SCHEMES,
      parameters: PARAMETERS,
      headers: HEADERS,
      examples: errorExamples(),
    },
  };
}
