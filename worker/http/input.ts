/**
 * What a request carries, read at the boundary: bounded JSON bodies through zod (the first issue
 * becomes the error, naming its parameter), query strings, the bearer credential.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { TillError } from '../../shared/errors.ts';

/** Largest JSON body any endpoint accepts. */
export const MAX_BODY_BYTES = 64 * 1024;

type ZodIssue = z.core.$ZodIssue;

/** The part of a Hono context these helpers read, whatever the route's variables. */
type RequestContext = Pick<Context, 'req'>;

function issueToError(issue: ZodIssue, input: unknown): TillError {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const param = [...path, key].join('.');
    return new TillError('unknown_parameter', `Unknown parameter: ${param}`, param);
  }
  const param = path.join('.') || undefined;
  // A record's key failed its own schema: say what that schema asks of keys, not "Invalid key in record".
  if (issue.code === 'invalid_key' && issue.issues[0])
    return new TillError('invalid_parameter', `Invalid ${param}: ${issue.issues[0].message}`, param);
  let value: unknown = input;
  for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  if (value === undefined && param)
    return new TillError('missing_parameter', `Missing required parameter: ${param}`, param);
  return new TillError('invalid_parameter', param ? `Invalid ${param}: ${issue.message}` : issue.message, param);
}

/** Reads the body as JSON (bounded, typed) and validates it; throws TillError on any problem. */
export async function readJson<S extends z.ZodType>(c: RequestContext, schema: S): Promise<z.infer<S>> {
  const raw = await readJsonValue(c);
  return parseWith(schema, raw);
}

export function parseWith<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw issueToError(parsed.error.issues[0] as ZodIssue, raw);
  return parsed.data;
}

export async function readJsonValue(c: RequestContext): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new TillError('unsupported_media_type', 'Send the body as JSON with Content-Type: application/json');
  }
  const bytes = await readBodyBytes(c);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new TillError('invalid_json', 'Request body is not valid JSON');
  }
  refuseProtoKeys(value);
  return value;
}

interface Visit {
  value: object;
  key: string;
  parent: Visit | null;
}

/**
 * `JSON.parse` keeps a `__proto__` key as an own property, but zod skips it when it copies an
 * object (writing it would replace the copy's prototype), so a body carrying one would be
 * accepted with the key silently gone. It is refused wherever it appears, naming its path.
 * `constructor` and `prototype` are ordinary own keys that zod copies and JSON writes back, so
 * they stay allowed. The walk keeps a parent link rather than a path per node, so a deeply nested
 * body costs time in proportion to its size.
 */
function refuseProtoKeys(root: unknown): void {
  if (typeof root !== 'object' || root === null) return;
  const pending: Visit[] = [{ value: root, key: '', parent: null }];
  for (let visit = pending.pop(); visit; visit = pending.pop()) {
    if (Object.hasOwn(visit.value, '__proto__')) {
      const path = ['__proto__'];
      for (let at: Visit | null = visit; at?.parent; at = at.parent) path.unshift(at.key);
      const param = path.join('.');
      throw new TillError('invalid_parameter', `Invalid ${param}: __proto__ cannot be a key`, param);
    }
    for (const [key, child] of Object.entries(visit.value)) {
      if (typeof child === 'object' && child !== null) pending.push({ value: child, key, parent: visit });
    }
  }
}

/** The raw body, at most MAX_BODY_BYTES; Hono caches it, so later readers get the same bytes. */
export async function readBodyBytes(c: RequestContext): Promise<ArrayBuffer> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES)
    throw new TillError('body_too_large', `Request body must be at most ${MAX_BODY_BYTES} bytes`);
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES)
    throw new TillError('body_too_large', `Request body must be at most ${MAX_BODY_BYTES} bytes`);
  return bytes;
}

export function bearer(c: RequestContext): string | null {
  const header = c.req.header('authorization');
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? '';
}

export const originOf = (c: RequestContext): string => new URL(c.req.url).origin;

/**
 * The query string, one value per name, for a schema to check. A name given twice is refused
 * rather than read as one of its values; the record has no prototype, so a parameter named
 * `__proto__` stays in it (and an unknown one is refused by a strict schema) instead of vanishing.
 */
export function queryParams(c: RequestContext): Record<string, string> {
  const params: Record<string, string> = Object.create(null);
  for (const [name, value] of new URL(c.req.url).searchParams) {
    if (Object.hasOwn(params, name)) throw new TillError('invalid_parameter', `${name} may be given only once`, name);
    params[name] = value;
  }
  return params;
}

/** For actions that take no parameters: no body, or an empty JSON object; anything else is refused. */
export async function readEmptyBody(c: RequestContext): Promise<void> {
  const bytes = await readBodyBytes(c);
  if (bytes.byteLength === 0) return;
  parseWith(z.strictObject({}), await readJsonValue(c));
}
