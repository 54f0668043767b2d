/** `till.keys`: the merchant's API keys. A key's secret is shown only when it is created or rolled. */
import type { z } from 'zod';
import {
  type ApiKey,
  ApiKeyListSchema,
  ApiKeySchema,
  type CreateApiKeyRequestSchema,
  type CreatedApiKey,
  CreatedApiKeySchema,
  type List,
  type RollApiKeyRequestSchema,
} from '../../shared/schemas.ts';
import type { HttpClient, RequestOptions } from '../http.ts';
import { segment } from '../pagination.ts';

export type ApiKeyCreateParams = z.input<typeof CreateApiKeyRequestSchema>;
export type ApiKeyRollParams = z.input<typeof RollApiKeyRequestSchema>;

export class Keys {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  async list(): Promise<List<ApiKey>> {
    return this.#http.request({ method: 'GET', path: '/v1/keys' }, ApiKeyListSchema);
  }

  async create(params: ApiKeyCreateParams, options: RequestOptions = {}): Promise<CreatedApiKey> {
    return this.#http.request(
      { method: 'POST', path: '/v1/keys', body: params, idempotencyKey: options.idempotencyKey },
      CreatedApiKeySchema,
    );
  }

  /** A new key replaces this one; the old one keeps working for `expires_in` seconds (0: refused at once). */
  async roll(id: string, params: ApiKeyRollParams = {}, options: RequestOptions = {}): Promise<CreatedApiKey> {
    const path = `/v1/keys/${segment(id, 'key id')}/roll`;
    return this.#http.request(
      { method: 'POST', path, body: params, idempotencyKey: options.idempotencyKey },
      CreatedApiKeySchema,
    );
  }

  async revoke(id: string, options: RequestOptions = {}): Promise<ApiKey> {
    const path = `/v1/keys/${segment(id, 'key id')}/revoke`;
    return this.#http.request({ method: 'POST', path, idempotencyKey: options.idempotencyKey }, ApiKeySchema);
  }
}
