/**
 * Valid values from a JSON Schema, as fast-check arbitraries: type, enum, const, pattern, string
 * lengths, numeric bounds, properties / required / additionalProperties / propertyNames,
 * maxProperties, arrays, `$ref`, anyOf / oneOf. Strings the world already knows (real ids,
 * channel names) are preferred where they fit the schema, so requests reach real objects.
 */
import fc from 'fast-check';
import type { JsonSchema, SchemaSet } from './json-schema.ts';

export interface KnownStrings {
  /**
   * Strings seen in the world that satisfy `schema`, read when a value is drawn (the world grows);
   * those seen under the field `name` first (`channel` → `sandbox`, `endpoint_id` → `we_…`).
   */
  matching(schema: JsonSchema, name?: string): readonly string[];
  /** The same among the other merchant's strings: ids the caller must not reach. */
  foreign(schema: JsonSchema): readonly string[];
}

/** Longest string drawn for a schema without a tighter limit; long strings are the hostile values' job. */
const TYPICAL_LENGTH = 24;
/** Most entries drawn for an object map or an array. */
const TYPICAL_ENTRIES = 4;

export class ValueGenerator {
  private readonly schemas: SchemaSet;
  private readonly known: KnownStrings;

  constructor(schemas: SchemaSet, known: KnownStrings) {
    this.schemas = schemas;
    this.known = known;
  }

  /** A valid value; `name` is the field or parameter it is for, whose values the world may have seen. */
  valid(schema: JsonSchema | boolean, name?: string): fc.Arbitrary<unknown> {
    if (typeof schema === 'boolean') return schema ? anyJson() : fc.constant(undefined);
    const resolved = this.schemas.resolve(schema);
    if ('const' in resolved) return fc.constant(resolved.const);
    if (resolved.enum) return fc.constantFrom(...resolved.enum);
    const alternatives = resolved.anyOf ?? resolved.oneOf;
    if (alternatives) return fc.oneof(...alternatives.map((alternative) => this.valid(alternative, name)));
    const types = typeof resolved.type === 'string' ? [resolved.type] : (resolved.type ?? inferredTypes(resolved));
    if (types.length === 0) return anyJson();
    return fc.oneof(...types.map((type) => this.ofType(type, resolved, name)));
  }

  private ofType(type: string, schema: JsonSchema, name: string | undefined): fc.Arbitrary<unknown> {
    switch (type) {
      case 'string':
        return this.string(schema, name);
      case 'integer':
        return fc.integer({ min: lowerBound(schema, 1), max: upperBound(schema, 1) });
      case 'number':
        return fc.double({ min: lowerBound(schema, 0), max: upperBound(schema, 0), noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return this.array(schema, name);
      case 'object':
        return this.object(schema);
      default:
        throw new Error(`the fuzzer does not know the JSON Schema type ${type}`);
    }
  }

  private string(schema: JsonSchema, name: string | undefined): fc.Arbitrary<string> {
    const minLength = schema.minLength ?? 0;
    const maxLength = schema.maxLength ?? Number.POSITIVE_INFINITY;
    const fits = (value: string) =>
      value.length >= minLength &&
      value.length <= maxLength &&
      (schema.pattern === undefined || new RegExp(schema.pattern).test(value));
    let drawn: fc.Arbitrary<string>;
    if (schema.format === 'uri') drawn = fc.webUrl({ withQueryParameters: true, withFragments: true }).filter(fits);
    else if (schema.pattern !== undefined) drawn = fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
    else drawn = fc.string({ minLength, maxLength: Math.max(minLength, Math.min(maxLength, TYPICAL_LENGTH)) });
    // Read the world's strings when the value is drawn, not when the arbitrary is built.
    const preferKnown = schema.pattern !== undefined ? 3 : 1;
    const useKnown = fc.oneof({ weight: preferKnown, arbitrary: fc.constant(true) }, fc.constant(false));
    return fc.tuple(useKnown, fc.nat(), drawn).map(([pickKnown, index, fresh]) => {
      const known = this.known.matching(schema, name);
      return pickKnown && known.length > 0 ? (known[index % known.length] as string) : fresh;
    });
  }

  /** A string of the other merchant's that fits the schema (an id it owns), or a fresh one. */
  foreign(schema: JsonSchema): fc.Arbitrary<unknown> {
    return fc.tuple(fc.nat(), this.valid(schema)).map(([index, fresh]) => {
      const foreign = this.known.foreign(this.schemas.resolve(schema));
      return foreign.length > 0 ? foreign[index % foreign.length] : fresh;
    });
  }

  private array(schema: JsonSchema, name: string | undefined): fc.Arbitrary<unknown[]> {
    const minLength = schema.minItems ?? 0;
    const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? TYPICAL_ENTRIES, TYPICAL_ENTRIES));
    return fc.array(schema.items ? this.valid(schema.items, name) : anyJson(), { minLength, maxLength });
  }

  private object(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
    const properties = schema.properties ?? {};
    if (Object.keys(properties).length > 0) {
      const fields = Object.fromEntries(
        Object.entries(properties).map(([name, value]) => [name, this.valid(value, name)]),
      );
      return fc.record(fields, { requiredKeys: (schema.required ?? []).filter((name) => name in properties) });
    }
    // A map: keys from propertyNames, values from additionalProperties.
    const values =
      schema.additionalProperties === undefined || schema.additionalProperties === true
        ? anyJson()
        : this.valid(schema.additionalProperties);
    const keys = (schema.propertyNames ? this.valid(schema.propertyNames) : fc.string({ minLength: 1 })).filter(
      (key): key is string => typeof key === 'string',
    );
    const maxKeys = Math.min(schema.maxProperties ?? TYPICAL_ENTRIES, TYPICAL_ENTRIES);
    // Built from entries so that a key like `__proto__` stays an own property.
    return fc
      .uniqueArray(fc.tuple(keys, values), { maxLength: maxKeys, selector: ([key]) => key })
      .map((entries) => Object.fromEntries(entries));
  }
}

function inferredTypes(schema: JsonSchema): string[] {
  if (schema.properties || schema.additionalProperties !== undefined || schema.propertyNames) return ['object'];
  if (schema.items) return ['array'];
  if (schema.pattern !== undefined || schema.minLength !== undefined) return ['string'];
  return [];
}

function lowerBound(schema: JsonSchema, step: number): number {
  if (schema.exclusiveMinimum !== undefined) return schema.exclusiveMinimum + step;
  return schema.minimum ?? Number.MIN_SAFE_INTEGER;
}

function upperBound(schema: JsonSchema, step: number): number {
  if (schema.exclusiveMaximum !== undefined) return schema.exclusiveMaximum - step;
  return schema.maximum ?? Number.MAX_SAFE_INTEGER;
}

/** Any small JSON value: what `{}` (no constraint) accepts. */
export const anyJson = (): fc.Arbitrary<unknown> => fc.jsonValue({ maxDepth: 2 });
