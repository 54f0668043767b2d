/**
 * The route table's compile-time rules, proved able to fail: each `@ts-expect-error` below is a
 * declaration `tsc` (run by `npm test`) must refuse; were a rule lost, the directive itself errs.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { orderId } from '../../shared/api/params.ts';
import { route } from '../../shared/api/route.ts';

const base = {
  tags: [],
  idempotent: false,
  summary: 'Probe',
  description: 'A route declared only to probe the rules.',
  responses: { 200: { schema: z.string(), description: 'ok' } },
  errors: [],
} as const;

describe('route declarations', () => {
  it('refuse what would leave a route half-declared', () => {
    // @ts-expect-error a path with `{id}` must declare the `id` parameter
    route({ ...base, method: 'get', path: '/v1/probe/{id}', auth: ['admin'], sdk: null });
    // @ts-expect-error a JSON body needs an example (the document shows it, the tests send it)
    route({ ...base, method: 'post', path: '/v1/probe', auth: ['admin'], body: z.object({}), sdk: null });
    // @ts-expect-error a route a merchant key may call needs its SDK method
    route({ ...base, method: 'get', path: '/v1/probe', auth: ['secret'], sdk: null });
    const ok = route({
      ...base,
      method: 'get',
      path: '/v1/probe/{id}',
      auth: ['admin'],
      params: { id: orderId },
      sdk: null,
    });
    expect(ok.path).toBe('/v1/probe/{id}');
  });
});
