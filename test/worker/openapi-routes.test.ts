/** The OpenAPI route table and the Hono app describe the same API, and the worker serves it. */
import { describe, expect, it } from 'vitest';
import { app } from '../../worker/app.ts';
import { buildOpenApiDocument } from '../../worker/http/openapi/document.ts';
import { ASSET_PATHS } from '../../worker/http/pages/assets.ts';
import { FRAME_PATHS } from '../../worker/http/pages/frame-page.ts';
import { call } from './helpers.ts';

/** `/v1/orders/:id` (or `:id{[0-9]+}`) as OpenAPI writes it: `/v1/orders/{id}`. */
const toOpenApiPath = (path: string) => path.replace(/:(\w+)(\{[^}]*\})?\??/g, '{$1}');

function appOperations(): string[] {
  const operations = app.routes
    .filter((route) => route.method !== 'ALL' && route.method !== 'OPTIONS' && route.path.startsWith('/v1/'))
    // The checkout frame is a page (test/worker/frame-page.test.ts), not an API operation.
    .filter((route) => ![...FRAME_PATHS, ...ASSET_PATHS].includes(route.path as never))
    .map((route) => `${route.method.toUpperCase()} ${toOpenApiPath(route.path)}`);
  return [...new Set(operations)].sort();
}

function documentOperations(): string[] {
  const paths = buildOpenApiDocument().paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths)
    .filter(([path]) => path.startsWith('/v1/'))
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

describe('OpenAPI document and app routes', () => {
  it('documents every /v1 route the app serves', () => {
    const documented = new Set(documentOperations());
    expect(appOperations().filter((operation) => !documented.has(operation))).toEqual([]);
  });

  it('documents no /v1 route the app does not serve', () => {
    const served = new Set(appOperations());
    expect(documentOperations().filter((operation) => !served.has(operation))).toEqual([]);
  });

  it('serves the document at GET /v1/openapi.json', async () => {
    const { status, body, headers } = await call<{ openapi: string; paths: Record<string, unknown> }>(
      '/v1/openapi.json',
    );
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(headers.get('cache-control')).toBe('public, max-age=300');
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toContain('/v1/orders/{id}');
  });
});
