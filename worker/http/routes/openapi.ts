/** The API's OpenAPI 3.1 document, generated from the route table and the zod schemas. */
import { Hono } from 'hono';
import type { AppEnv } from '../../base/env.ts';
import { buildOpenApiDocument } from '../openapi/document.ts';

// Building walks every schema; the result never changes within an isolate, so build it once.
let documentJson: string | undefined;

export const openApi = new Hono<AppEnv>().get('/openapi.json', (c) => {
  documentJson ??= JSON.stringify(buildOpenApiDocument());
  return c.body(documentJson, 200, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'public, max-age=300',
    // Public and free of secrets: any docs viewer or SDK generator may fetch it from a browser.
    'access-control-allow-origin': '*',
  });
});
