/**
 * Reads the OpenAPI document into the operations the fuzzer drives: method, path template,
 * parameters by place, request body, security, and what each status may answer. Nothing here
 * names a route: a route added to the table is fuzzed as soon as the document lists it.
 */
import type { JsonSchema } from './json-schema.ts';

export type OpenApiDocument = {
  paths: Record<string, Record<string, RawOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, RawParameter>;
    securitySchemes: Record<string, { type: string; scheme?: string; in?: string; name?: string }>;
  };
};

type Ref = { $ref: string };
type RawParameter = {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
  style?: string;
};
type RawMedia = { schema?: JsonSchema; examples?: Record<string, { value: unknown }> };
type RawResponse = { content?: Record<string, RawMedia & { examples?: Record<string, Ref> }> };
type RawOperation = {
  operationId: string;
  security?: Record<string, string[]>[];
  parameters?: (RawParameter | Ref)[];
  requestBody?: { required?: boolean; content: Record<string, RawMedia> };
  responses: Record<string, RawResponse>;
};

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
  /** `metadata[key]=value` pairs rather than one `name=value`. */
  deepObject: boolean;
}

export interface Operation {
  id: string;
  method: string;
  /** The template, `/v1/orders/{id}`. */
  path: string;
  parameters: Parameter[];
  /** The JSON body's schema; `opaque` when the body is in someone else's format (`*\/*`). */
  body: { schema: JsonSchema; required: boolean; examples: unknown[] } | { opaque: true } | null;
  /** Security scheme names, any one of which authenticates; empty for a public operation. */
  security: string[];
  /** Status → the schema of a success body (null for none or not JSON). */
  successes: Map<number, JsonSchema | null>;
  /** Status → the error codes documented for it. */
  errors: Map<number, Set<string>>;
}

const isRef = (value: object): value is Ref => '$ref' in value;

function resolveParameter(document: OpenApiDocument, parameter: RawParameter | Ref): RawParameter {
  if (!isRef(parameter)) return parameter;
  const name = parameter.$ref.replace('#/components/parameters/', '');
  const resolved = document.components.parameters[name];
  if (!resolved) throw new Error(`unresolved parameter ${parameter.$ref}`);
  return resolved;
}

function readResponses(raw: Record<string, RawResponse>) {
  const successes = new Map<number, JsonSchema | null>();
  const errors = new Map<number, Set<string>>();
  for (const [status, response] of Object.entries(raw)) {
    const code = Number(status);
    if (code < 400) {
      successes.set(code, response.content?.['application/json']?.schema ?? null);
      continue;
    }
    // Each documented code is an example that `$ref`s `#/components/examples/<code>`.
    const examples = response.content?.['application/json']?.examples ?? {};
    errors.set(code, new Set(Object.values(examples).map((example) => example.$ref.split('/').pop() ?? '')));
  }
  return { successes, errors };
}

function readBody(raw: RawOperation['requestBody']): Operation['body'] {
  if (!raw) return null;
  const json = raw.content['application/json'];
  if (!json?.schema) return { opaque: true };
  const examples = Object.values(json.examples ?? {}).map((example) => example.value);
  return { schema: json.schema, required: raw.required === true, examples };
}

export function readOperations(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      const parameters = (raw.parameters ?? []).map((parameter) => {
        const resolved = resolveParameter(document, parameter);
        return {
          name: resolved.name,
          in: resolved.in,
          required: resolved.required === true,
          schema: resolved.schema,
          deepObject: resolved.style === 'deepObject',
        };
      });
      operations.push({
        id: raw.operationId,
        method: method.toUpperCase(),
        path,
        parameters,
        body: readBody(raw.requestBody),
        security: (raw.security ?? []).flatMap((requirement) => Object.keys(requirement)),
        ...readResponses(raw.responses),
      });
    }
  }
  return operations;
}
