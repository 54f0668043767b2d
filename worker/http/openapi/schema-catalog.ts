/**
 * Turns zod schemas into the JSON Schema 2020-12 that OpenAPI 3.1 uses. Request schemas convert
 * as zod input and responses as zod output, through two registries, so each named schema lands
 * in `components.schemas` once and everything that uses it gets a `$ref`.
 */
import { z } from 'zod';
import { CURRENCIES } from '../../../shared/money.ts';
import { CurrencySchema, HttpUrlSchema, MetadataSchema, OriginSchema } from '../../../shared/schemas.ts';
import { REQUEST_SCHEMA_NAMES, RESPONSE_SCHEMA_NAMES, SHARED_SCHEMA_NAMES } from './schema-names.ts';

export type JsonSchema = z.core.JSONSchema.JSONSchema;
type Io = 'input' | 'output';
type OverrideContext = { zodSchema: z.core.$ZodType; jsonSchema: JsonSchema };

const COMPONENT_PREFIX = '#/components/schemas/';

/** What `.refine()` checks that JSON Schema would otherwise lose, keyed by the refined schema. */
const REFINEMENT_HINTS = new Map<z.core.$ZodType, JsonSchema>([
  [CurrencySchema, { type: 'string', enum: [...CURRENCIES], description: 'Upper-case ISO 4217 currency code.' }],
  [HttpUrlSchema, { pattern: '^https?://' }],
  [
    MetadataSchema,
    {
      maxProperties: 20,
      description: 'Your own key-value pairs: up to 20 keys of at most 40 characters, values of at most 500.',
    },
  ],
  [
    OriginSchema,
    {
      pattern: '^(https://[^/?#]+|http://(localhost|127\\.0\\.0\\.1|\\[::1\\])(:[0-9]+)?)$',
      description: 'A browser origin like https://shop.example: https, no path; http only for localhost.',
    },
  ],
]);

function replaceContents(target: JsonSchema, source: JsonSchema): void {
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, source);
}

function override(io: Io) {
  return ({ zodSchema, jsonSchema }: OverrideContext): void => {
    const def = zodSchema._zod.def;
    // JSON Schema cannot say what a transform returns. In the response schemas every transform
    // only narrows a type (a currency string stays that string), so the input form is the wire
    // form; without this, output currencies would be `{}`. A transform that changes the value
    // would need a REFINEMENT_HINTS entry.
    if (io === 'output' && def.type === 'pipe' && 'in' in def && 'out' in def) {
      const out = def.out as z.core.$ZodType;
      if (out._zod.def.type === 'transform')
        replaceContents(jsonSchema, convertInline(def.in as z.core.$ZodType, 'input'));
    }
    // zod leaves out defaults whose value does not match the input type (`limit` defaults to the number 10).
    if (io === 'input' && def.type === 'default' && 'defaultValue' in def && jsonSchema.default === undefined) {
      const value: unknown = def.defaultValue;
      jsonSchema.default = jsonSchema.type === 'string' && typeof value === 'number' ? String(value) : value;
    }
    // `.int()` adds the safe-integer range to every integer; it is noise to a reader.
    if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
    if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    // Responses may gain fields; `additionalProperties: false` would make clients reject them.
    if (io === 'output' && def.type === 'object' && (def as z.core.$ZodObjectDef).catchall === undefined)
      delete jsonSchema.additionalProperties;
    // `.startsWith()` becomes a pattern plus a `starts_with` format no validator knows.
    if (jsonSchema.format === 'starts_with') delete jsonSchema.format;
    const hint = REFINEMENT_HINTS.get(zodSchema);
    if (hint) Object.assign(jsonSchema, hint);
  };
}

function options(io: Io) {
  return { target: 'draft-2020-12', io, unrepresentable: 'any', override: override(io) } as const;
}

/** A schema with no named parts (path and query parameters), converted on its own. */
export function convertInline(schema: z.core.$ZodType, io: Io): JsonSchema {
  const { $schema: _schema, ...json } = z.toJSONSchema(schema, options(io)) as JsonSchema;
  if (json.$defs) throw new Error('inline schemas must not contain named or recursive parts');
  return json;
}

const ref = (name: string): JsonSchema => ({ $ref: `${COMPONENT_PREFIX}${name}` });

/** Collects the schemas a document uses, then converts them all at once. */
export class SchemaCatalog {
  private readonly input = z.registry<{ id: string }>();
  private readonly output = z.registry<{ id: string }>();
  private readonly names = new Map<string, { schema: z.core.$ZodType; io: Io | 'both' }>();

  constructor() {
    // Nested schemas must be in the registries before anything that contains them is converted.
    for (const [schema, name] of SHARED_SCHEMA_NAMES) this.add(schema, name, 'both');
    for (const [schema, name] of RESPONSE_SCHEMA_NAMES) this.add(schema, name, 'output');
  }

  /** A `$ref` to a request body schema, named from the map or after its route. */
  request(schema: z.ZodType, fallbackName: string): JsonSchema {
    return ref(
      this.add(schema, SHARED_SCHEMA_NAMES.get(schema) ?? REQUEST_SCHEMA_NAMES.get(schema) ?? fallbackName, 'input'),
    );
  }

  /** A `$ref` to a response body schema, named from the map or after its route. */
  response(schema: z.ZodType, fallbackName: string): JsonSchema {
    return ref(
      this.add(schema, SHARED_SCHEMA_NAMES.get(schema) ?? RESPONSE_SCHEMA_NAMES.get(schema) ?? fallbackName, 'output'),
    );
  }

  private add(schema: z.core.$ZodType, name: string, io: Io | 'both'): string {
    const known = this.names.get(name);
    if (known && known.schema !== schema) throw new Error(`two schemas are both named ${name}`);
    if (known && known.io !== io && known.io !== 'both')
      throw new Error(`${name} is used as request and response; name it in SHARED_SCHEMA_NAMES`);
    if (known) return name;
    this.names.set(name, { schema, io });
    if (io !== 'output') this.input.add(schema, { id: name });
    if (io !== 'input') this.output.add(schema, { id: name });
    return name;
  }

  /** Every collected schema, for `components.schemas`, sorted by name. */
  components(): Record<string, JsonSchema> {
    const converted = { input: this.convert('input'), output: this.convert('output') };
    const components: Record<string, JsonSchema> = {};
    for (const [name, { io }] of [...this.names].sort(([a], [b]) => a.localeCompare(b))) {
      const json = io === 'both' ? converted.output[name] : converted[io][name];
      if (!json) throw new Error(`schema ${name} was not converted`);
      if (io === 'both' && JSON.stringify(json) !== JSON.stringify(converted.input[name])) {
        throw new Error(`${name} reads differently as request and response; do not share it`);
      }
      components[name] = json;
    }
    return components;
  }

  private convert(io: Io): Record<string, JsonSchema> {
    const registry = io === 'input' ? this.input : this.output;
    const { schemas } = z.toJSONSchema(registry, { ...options(io), uri: (id) => `${COMPONENT_PREFIX}${id}` });
    if ('__shared' in schemas) throw new Error('a schema is recursive or reused in a way that needs $defs; name it');
    const result: Record<string, JsonSchema> = {};
    for (const [name, json] of Object.entries(schemas)) {
      const { $schema: _schema, $id: _id, ...rest } = json;
      result[name] = rest;
    }
    return result;
  }
}
