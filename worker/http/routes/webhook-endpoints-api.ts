/**
 * The merchant's webhook endpoints, per mode: a key sees and changes only its own mode's
 * endpoints, plus the primary one (the `webhook_url` setting), which serves both modes.
 */
import { Hono } from 'hono';
import { TillError } from '../../../shared/errors.ts';
import {
  CreateWebhookEndpointRequestSchema,
  type List,
  RollWebhookSecretRequestSchema,
  UpdateWebhookEndpointRequestSchema,
  WEBHOOK_ENDPOINT_ID,
  type WebhookEndpoint,
} from '../../../shared/schemas.ts';
import { merchantStub } from '../../base/merchant-stub.ts';
import { unwrap } from '../../base/result.ts';
import type { MerchantEnv } from '../auth.ts';
import { merchantKeyRateLimit } from '../rate-limit.ts';
import { readJson, readOptionalJson } from '../request.ts';
import { merchantIdempotency, readers, writers } from './merchant-auth.ts';

/** A malformed id is a missing endpoint, answered before any object is asked. */
function endpointId(id: string): string {
  if (!WEBHOOK_ENDPOINT_ID.test(id))
    throw new TillError('webhook_endpoint_not_found', 'No such webhook endpoint', 'id');
  return id;
}

export const webhookEndpointsApi = new Hono<MerchantEnv>()
  // Also matches /webhook_endpoints itself.
  .use('/webhook_endpoints/*', merchantKeyRateLimit())
  .post('/webhook_endpoints', writers, merchantIdempotency, async (c) => {
    const request = await readJson(c, CreateWebhookEndpointRequestSchema);
    const merchant = c.get('merchant');
    return c.json(unwrap(await merchantStub(c.env, merchant.id).createWebhookEndpoint(merchant.mode, request)), 201);
  })

  .get('/webhook_endpoints', readers, async (c) => {
    const merchant = c.get('merchant');
    // At most 16 per mode and the primary: one page holds them all.
    const data = unwrap(await merchantStub(c.env, merchant.id).listWebhookEndpoints(merchant.mode));
    return c.json({
      object: 'list',
      data,
      has_more: false,
      url: '/v1/webhook_endpoints',
    } satisfies List<WebhookEndpoint>);
  })

  .get('/webhook_endpoints/:id', readers, async (c) => {
    const merchant = c.get('merchant');
    return c.json(
      unwrap(
        await merchantStub(c.env, merchant.id).retrieveWebhookEndpoint(merchant.mode, endpointId(c.req.param('id'))),
      ),
    );
  })

  .post('/webhook_endpoints/:id', writers, merchantIdempotency, async (c) => {
    const id = endpointId(c.req.param('id'));
    const patch = await readJson(c, UpdateWebhookEndpointRequestSchema);
    const merchant = c.get('merchant');
    return c.json(unwrap(await merchantStub(c.env, merchant.id).updateWebhookEndpoint(merchant.mode, id, patch)));
  })

  .delete('/webhook_endpoints/:id', writers, async (c) => {
    const merchant = c.get('merchant');
    return c.json(
      unwrap(
        await merchantStub(c.env, merchant.id).deleteWebhookEndpoint(merchant.mode, endpointId(c.req.param('id'))),
      ),
    );
  })

  .post('/webhook_endpoints/:id/roll_secret', writers, merchantIdempotency, async (c) => {
    const id = endpointId(c.req.param('id'));
    const { expires_in } = await readOptionalJson(c, RollWebhookSecretRequestSchema);
    const merchant = c.get('merchant');
    return c.json(
      unwrap(await merchantStub(c.env, merchant.id).rollWebhookEndpointSecret(merchant.mode, id, expires_in)),
    );
  });
