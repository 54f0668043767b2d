/** `till.webhookEndpoints`: where events go, per mode. A secret is shown only at creation and on a roll. */
import type { z } from 'zod';
import {
  type CreateWebhookEndpointRequestSchema,
  type DeletedWebhookEndpoint,
  DeletedWebhookEndpointSchema,
  type List,
  type RollWebhookSecretRequestSchema,
  type UpdateWebhookEndpointRequest,
  type WebhookEndpoint,
  WebhookEndpointListSchema,
  WebhookEndpointSchema,
  type WebhookEndpointWithSecret,
  WebhookEndpointWithSecretSchema,
} from '../../shared/schemas.ts';
import type { HttpClient, RequestOptions } from '../http.ts';
import { segment } from '../pagination.ts';

export type WebhookEndpointCreateParams = z.input<typeof CreateWebhookEndpointRequestSchema>;
export type WebhookEndpointRollParams = z.input<typeof RollWebhookSecretRequestSchema>;

export class WebhookEndpoints {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /** A new endpoint for the events of this key's mode; keep `secret` from the answer, it is not shown again. */
  async create(params: WebhookEndpointCreateParams, options: RequestOptions = {}): Promise<WebhookEndpointWithSecret> {
    const request = {
      method: 'POST' as const,
      path: '/v1/webhook_endpoints',
      body: params,
      idempotencyKey: options.idempotencyKey,
    };
    return this.#http.request(request, WebhookEndpointWithSecretSchema);
  }

  async list(): Promise<List<WebhookEndpoint>> {
    return this.#http.request({ method: 'GET', path: '/v1/webhook_endpoints' }, WebhookEndpointListSchema);
  }

  async retrieve(id: string): Promise<WebhookEndpoint> {
    return this.#http.request(
      { method: 'GET', path: `/v1/webhook_endpoints/${segment(id, 'webhook endpoint id')}` },
      WebhookEndpointSchema,
    );
  }

  /** Changes the URL, description, event filter or status; `status: 'enabled'` also clears its failure record. */
  async update(
    id: string,
    params: UpdateWebhookEndpointRequest,
    options: RequestOptions = {},
  ): Promise<WebhookEndpoint> {
    const path = `/v1/webhook_endpoints/${segment(id, 'webhook endpoint id')}`;
    return this.#http.request(
      { method: 'POST', path, body: params, idempotencyKey: options.idempotencyKey },
      WebhookEndpointSchema,
    );
  }

  async del(id: string): Promise<DeletedWebhookEndpoint> {
    return this.#http.request(
      { method: 'DELETE', path: `/v1/webhook_endpoints/${segment(id, 'webhook endpoint id')}` },
      DeletedWebhookEndpointSchema,
    );
  }

  /** A new secret; with `expires_in` the old one keeps signing too for that many seconds. */
  async rollSecret(
    id: string,
    params: WebhookEndpointRollParams = {},
    options: RequestOptions = {},
  ): Promise<WebhookEndpointWithSecret> {
    const path = `/v1/webhook_endpoints/${segment(id, 'webhook endpoint id')}/roll_secret`;
    return this.#http.request(
      { method: 'POST', path, body: params, idempotencyKey: options.idempotencyKey },
      WebhookEndpointWithSecretSchema,
    );
  }
}
