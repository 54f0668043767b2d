/** The widget's static files (`dist/widget`), handed to the assets binding, which applies `_headers`. */
import type { Context } from 'hono';
import { TillError } from '../../../shared/errors.ts';
import type { AppEnv } from '../../base/env.ts';

/** Where the app serves them: files, not API operations. */
export const ASSET_PATHS = ['/v1/till.js', '/v1/assets/*'] as const;

export async function serveAsset(c: Context<AppEnv>): Promise<Response> {
  const response = await c.env.ASSETS.fetch(c.req.raw);
  if (response.status === 404) throw new TillError('not_found', `No file at ${new URL(c.req.url).pathname}`);
  // The binding's headers are immutable; the app adds its request id.
  return new Response(response.body, response);
}
