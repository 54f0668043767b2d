/**
 * The SDK is declared from the route table: every route the table binds to an SDK method is
 * there, sends the route's method to the route's path (ids in place, percent-encoded), its body
 * or query, and an Idempotency-Key exactly on POSTs — checked for all of them, so a new route is
 * checked the day it is declared.
 */
import { describe, expect, it } from 'vitest';
import { Till } from '../../sdk/index.ts';
import { ROUTE_LIST } from '../../shared/api/routes.ts';

interface Sent {
  method: string;
  url: URL;
  headers: Headers;
  body: string | null;
}

describe('SDK methods from the route table', () => {
  it('call every bound route on its own method and path', async () => {
    const bound = ROUTE_LIST.filter((route) => route.sdk !== null);
    expect(bound.length).toBeGreaterThan(25);
    for (const route of bound) {
      const sent: Sent[] = [];
      const till = new Till({
        secretKey: 'sk_test_mer0123456789abcdef_secret',
        baseUrl: 'https://till.example',
        maxRetries: 0,
        fetch: async (input, init) => {
          const request = new Request(input, init);
          sent.push({
            method: request.method,
            url: new URL(request.url),
            headers: request.headers,
            body: await request.text(),
          });
          // Any answer: only the request is under test here, so the schema check may refuse it.
          return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
        },
      });
      const { resource, method } = route.sdk ?? { resource: '', method: '' };
      const call = (till as unknown as Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>)[
        resource
      ]?.[method];
      expect(call, `till.${resource}.${method}`).toBeTypeOf('function');
      const ids = Object.values(route.params ?? {}).map((param) => `${param.example}/x`);
      const params = route.bodyExample ?? route.queryExample;
      await call?.(...ids, ...(params || route.body || route.query ? [params ?? {}] : [])).catch(() => undefined);

      expect(sent, `till.${resource}.${method}`).toHaveLength(1);
      const [request] = sent as [Sent];
      let path = route.path;
      for (const [name, param] of Object.entries(route.params ?? {})) {
        path = path.replace(`{${name}}`, encodeURIComponent(`${param.example}/x`));
      }
      expect(`${request.method} ${request.url.pathname}`).toBe(`${route.method.toUpperCase()} ${path}`);
      expect(request.headers.has('idempotency-key'), route.operationId).toBe(route.method === 'post');
      if (route.bodyExample) expect(JSON.parse(request.body ?? '')).toEqual(route.bodyExample);
      for (const [name, value] of Object.entries(route.queryExample ?? {})) {
        expect(request.url.searchParams.get(name), `${route.operationId} ?${name}`).toBe(value);
      }
    }
  });
});
