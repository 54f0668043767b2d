/**
 * The JSON Schema subset the document uses, `$ref` resolution against its components, and
 * validation. Validation uses @cfworker/json-schema: Ajv compiles validators with
 * `new Function`, which workerd forbids, while @cfworker interprets the schema as it walks it.
 */
import { type Schema, Validator } from '@cfworker/json-schema';

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  maxProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  [keyword: string]: unknown;
};

export class SchemaSet {
  private readonly validators = new WeakMap<JsonSchema, Validator>();

  private readonly components: Record<string, JsonSchema>;

  constructor(components: Record<string, JsonSchema>) {
    this.components = components;
  }

  /** Follows `$ref`s to `#/components/schemas/<name>` until a schema with content. */
  resolve(schema: JsonSchema): JsonSchema {
    let current = schema;
    for (let hops = 0; current.$ref !== undefined; hops++) {
      const name = current.$ref.replace('#/components/schemas/', '');
      const next = this.components[name];
      if (!next || hops > 16) throw new Error(`unresolved schema ${current.$ref}`);
      current = next;
    }
    return current;
  }

  /** The validation errors of `value` against `schema`, empty when it conforms. */
  errors(schema: JsonSchema, value: unknown): string[] {
    let validator = this.validators.get(schema);
    if (!validator) {
      // The components ride along under the same pointer the document uses, so `$ref`s resolve.
      validator = new Validator({ ...schema, components: { schemas: this.components } } as Schema, '2020-12', false);
      this.validators.set(schema, validator);
    }
    const result = validator.validate(value);
    return result.valid ? [] : result.errors.map((error) => `${error.instanceLocation}: ${error.error}`);
  }
}
