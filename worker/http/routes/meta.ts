/** The API's OpenAPI document and the keys that verify client tokens and receipts. */
import type { META_ROUTES } from '../../../shared/api/routes/admin.ts';
import { signingKeys } from '../../base/keys.ts';
import type { Handlers } from '../mount.ts';
import { buildOpenApiDocument } from '../openapi/document.ts';

// Building walks every schema; the result never changes within an isolate, so build it once.
let documentJson: string | undefined;

export const metaHandlers: Handlers<typeof META_ROUTES> = {
  getOpenApiDocument(c) {
    documentJson ??= JSON.stringify(buildOpenApiDocument());
    return c.body(documentJson, 200, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'public, max-age=300',
    });
  },

  getJwks(c) {
    c.header('cache-control', 'public, max-age=300');
    return { keys: signingKeys(c.env).verification };
  },
};
