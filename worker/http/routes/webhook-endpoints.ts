/**
 * The merchant's webhook endpoints, per mode: a key sees and changes only its own mode's
 * endpoints, plus the primary one (the `webhook_url` setting), which serves both modes.
 */
import type { WEBHOOK_ENDPOINT_ROUTES } from '../../../shared/api/routes/events.ts';
import { merchantStub } from '../../base/merchant-stub.ts';
import { unwrap } from '../../base/result.ts';
import type { Handlers } from '../mount.ts';

export const webhookEndpointHandlers: Handlers<typeof WEBHOOK_ENDPOINT_ROUTES> = {
  async createWebhookEndpoint(c, { body }) {
    const { id, mode } = c.get('merchant');
    return unwrap(await merchantStub(c.env, id).createWebhookEndpoint(mode, body));
  },

  async listWebhookEndpoints(c) {
    const { id, mode } = c.get('merchant');
    // At most 16 per mode and the primary: one page holds them all.
    const data = unwrap(await merchantStub(c.env, id).listWebhookEndpoints(mode));
    return { object: 'list', data, has_more: false, url: '/v1/webhook_endpoints' };
  },

  async retrieveWebhookEndpoint(c, { params }) {
    const { id, mode } = c.get('merchant');
    return unwrap(await merchantStub(c.env, id).retrieveWebhookEndpoint(mode, params.id));
  },

  async updateWebhookEndpoint(c, { params, body }) {
    const { id, mode } = c.get('merchant');
    return unwrap(await merchantStub(c.env, id).updateWebhookEndpoint(mode, params.id, body));
  },

  async deleteWebhookEndpoint(c, { params }) {
    const { id, mode } = c.get('merchant');
    return unwrap(await merchantStub(c.env, id).deleteWebhookEndpoint(mode, params.id));
  },

  async rollWebhookEndpointSecret(c, { params, body }) {
    const { id, mode } = c.get('merchant');
    return unwrap(await merchantStub(c.env, id).rollWebhookEndpointSecret(mode, params.id, body.expires_in));
  },
};
