/**
 * Stripe's v1 request encoding: form fields with bracket notation (`metadata[order]=1`,
 * `expand[]=x`, `expand[0]=x`) read into nested values, and the readers that reject a bad
 * parameter with Stripe's `invalid_request_error` and the parameter's full name.
 */

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type Form = { [key: string]: FormValue };

/** A request Stripe refuses before doing anything: answered 400 and never stored for idempotency. */
export class ParamError extends Error {
  readonly param: string;
  readonly code: string;

  constructor(message: string, param: string, code: string) {
    super(message);
    this.param = param;
    this.code = code;
  }
}

const isForm = (value: FormValue | undefined): value is Form =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `a[b][]` → ['a', 'b', '']. */
function pathOf(name: string): string[] {
  const head = /^[^[]+/.exec(name)?.[0] ?? name;
  const rest = [...name.slice(head.length).matchAll(/\[([^\]]*)\]/g)].map((match) => match[1] ?? '');
  return [head, ...rest];
}

function place(target: Form, path: string[], value: string): void {
  let node: Form = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = node[key];
    if (!isForm(next)) node[key] = {};
    node = node[key] as Form;
  }
  const last = path[path.length - 1]!;
  node[last === '' ? String(Object.keys(node).length) : last] = value;
}

/** Objects whose keys are all indexes become arrays, as Stripe reads `a[0]=x&a[1]=y` and `a[]=x`. */
function arrays(value: FormValue): FormValue {
  if (!isForm(value)) return value;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((key) => /^\d+$/.test(key)))
    return keys.sort((a, b) => Number(a) - Number(b)).map((key) => arrays(value[key]!));
  return Object.fromEntries(keys.map((key) => [key, arrays(value[key]!)]));
}

export function parseForm(text: string): Form {
  const form: Form = {};
  for (const [name, value] of new URLSearchParams(text)) place(form, pathOf(name), value);
  return arrays(form) as Form;
}

/** The same fields in one canonical order, so a retried request compares equal however it was encoded. */
export function canonical(value: FormValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
}

/** Reads one endpoint's parameters; every reader takes the parameter's full bracketed name for errors. */
export class Params {
  readonly form: Form;
  private readonly prefix: string;

  constructor(form: Form, prefix = '') {
    this.form = form;
    this.prefix = prefix;
  }

  private name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  /** Rejects any parameter the endpoint does not know, as Stripe does. */
  only(known: readonly string[]): this {
    for (const key of Object.keys(this.form))
      if (!known.includes(key))
        throw new ParamError(`Received unknown parameter: ${this.name(key)}`, this.name(key), 'parameter_unknown');
    return this;
  }

  has(key: string): boolean {
    return this.form[key] !== undefined;
  }

  string(key: string): string | undefined {
    const value = this.form[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string')
      throw new ParamError(`Invalid string: ${this.name(key)}`, this.name(key), 'parameter_invalid_string_blank');
    return value;
  }

  required(key: string): string {
    const value = this.string(key);
    if (value === undefined || value === '')
      throw new ParamError(`Missing required param: ${this.name(key)}.`, this.name(key), 'parameter_missing');
    return value;
  }

  /** A non-negative integer (Stripe's amounts). */
  integer(key: string): number | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
      throw new ParamError(`Invalid integer: ${value}`, this.name(key), 'parameter_invalid_integer');
    return Number(value);
  }

  boolean(key: string): boolean | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false')
      throw new ParamError(`Invalid boolean: ${value}`, this.name(key), 'parameter_invalid_boolean');
    return value === 'true';
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (!allowed.includes(value as T))
      throw new ParamError(
        `Invalid ${this.name(key)}: must be one of ${allowed.join(', ')}`,
        this.name(key),
        'parameter_invalid_string',
      );
    return value as T;
  }

  nested(key: string): Params | undefined {
    const value = this.form[key];
    if (value === undefined) return undefined;
    if (!isForm(value))
      throw new ParamError(`Invalid object: ${this.name(key)}`, this.name(key), 'parameter_invalid_object');
    return new Params(value, this.name(key));
  }

  /** `metadata[…]`: string values only, at most 50 keys, as Stripe allows. */
  metadata(key = 'metadata'): Record<string, string> | undefined {
    const nested = this.nested(key);
    if (!nested) return undefined;
    const entries = Object.keys(nested.form).map((name) => [name, nested.string(name) ?? ''] as const);
    if (entries.length > 50)
      throw new ParamError('Metadata can have up to 50 keys.', this.name(key), 'parameter_invalid_object');
    return Object.fromEntries(entries);
  }

  list(key: string): string[] | undefined {
    const value = this.form[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
      throw new ParamError(`Invalid array: ${this.name(key)}`, this.name(key), 'parameter_invalid_array');
    return value as string[];
  }
}
