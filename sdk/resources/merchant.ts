/** `till.merchant`: the calling merchant's own settings. */
import {
  type ConfigureChannelRequest,
  type Merchant,
  MerchantSchema,
  RollSecretResponseSchema,
  type UpdateMerchantSettings,
} from '../../shared/schemas.ts';
import type { HttpClient, RequestOptions } from '../http.ts';
import { segment } from '../pagination.ts';

export class MerchantResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  async retrieve(): Promise<Merchant> {
    return this.#http.request({ method: 'GET', path: '/v1/merchant' }, MerchantSchema);
  }

  async update(params: UpdateMerchantSettings, options: RequestOptions = {}): Promise<Merchant> {
    return this.#http.request(
      { method: 'POST', path: '/v1/merchant', body: params, idempotencyKey: options.idempotencyKey },
      MerchantSchema,
    );
  }

  /** Enables or disables a channel and sets its credentials (write-only: they never come back). */
  async configureChannel(
    channel: string,
    params: ConfigureChannelRequest,
    options: RequestOptions = {},
  ): Promise<Merchant> {
    const path = `/v1/merchant/channels/${segment(channel, 'channel')}`;
    return this.#http.request(
      { method: 'POST', path, body: params, idempotencyKey: options.idempotencyKey },
      MerchantSchema,
    );
  }

  /** A new request-signing secret, shown this once; the old one stops working at once. */
  async rollSigningSecret(options: RequestOptions = {}): Promise<string> {
    const path = '/v1/merchant/signing_secret/roll';
    return (
      await this.#http.request(
        { method: 'POST', path, idempotencyKey: options.idempotencyKey },
        RollSecretResponseSchema,
      )
    ).secret;
  }
}
