/** Reads a list endpoint's query string: the schema's parameters plus `metadata[<key>]=<value>` filters. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { TillError } from '../../../shared/errors.ts';
import { MAX_METADATA_FILTERS, METADATA_FILTER_KEY } from '../../../shared/schemas.ts';
import { parseWith } from '../request.ts';

const METADATA_PARAM = /^metadata\[(.*)\]$/;

export function listQuery<S extends z.ZodType>(
  c: Pick<Context, 'req'>,
  schema: S,
  options: { metadata?: boolean } = {},
): { query: z.infer<S>; metadata: Record<string, string> } {
  const params: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  for (const [name, value] of new URL(c.req.url).searchParams) {
    const match = METADATA_PARAM.exec(name);
    if (match && options.metadata !== false) {
      const key = match[1] ?? '';
      if (!METADATA_FILTER_KEY.test(key)) {
        throw new TillError(
          'invalid_parameter',
          'metadata filter keys must be 1 to 40 characters without quotes, brackets or backslashes',
          name,
        );
      }
      metadata[key] = value;
    } else if (Object.hasOwn(params, name)) {
      throw new TillError('invalid_parameter', `${name} may be given only once`, name);
    } else {
      params[name] = value;
    }
  }
  if (Object.keys(metadata).length > MAX_METADATA_FILTERS) {
    throw new TillError('invalid_parameter', `at most ${MAX_METADATA_FILTERS} metadata filters`, 'metadata');
  }
  return { query: parseWith(schema, params), metadata };
}
