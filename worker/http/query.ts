/** Reads a list endpoint's query string: the schema's parameters plus `metadata[<key>]=<value>` filters. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { TillError } from '../../shared/errors.ts';
import { MAX_METADATA_FILTERS, MetadataKeySchema } from '../../shared/schemas.ts';
import { parseWith, queryParams } from './input.ts';

/** `s`: a key may hold a line separator, and must then be read (and judged) as a key too. */
const METADATA_PARAM = /^metadata\[(.*)\]$/s;

export function listQuery<S extends z.ZodType>(
  c: Pick<Context, 'req'>,
  schema: S,
  options: { metadata?: boolean } = {},
): { query: z.infer<S>; metadata: Record<string, string> } {
  const params: Record<string, string> = Object.create(null);
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(queryParams(c))) {
    const match = METADATA_PARAM.exec(name);
    if (match && options.metadata !== false) {
      // The key rule orders are created with, so a key that can be stored can be filtered on.
      const key = MetadataKeySchema.safeParse(match[1] ?? '');
      if (!key.success)
        throw new TillError('invalid_parameter', `Invalid ${name}: ${key.error.issues[0]?.message}`, name);
      metadata[key.data] = value;
    } else {
      params[name] = value;
    }
  }
  if (Object.keys(metadata).length > MAX_METADATA_FILTERS) {
    throw new TillError('invalid_parameter', `at most ${MAX_METADATA_FILTERS} metadata filters`, 'metadata');
  }
  return { query: parseWith(schema, params), metadata };
}
