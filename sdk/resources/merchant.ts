/** `till.merchant`: the calling merchant's own settings. */
import { MerchantSchema, type Merchant, type UpdateMerchantSettings } from '../../shared/schemas.ts';
import type { HttpClient, RequestOptions } from '../http.ts';

export class MerchantResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  async retrieve(): Promise<Merchant> {
    return this.#http.request({ method: 'GET', path: '/v1/merchant' }, MerchantSchema);
  }

  async update(params: UpdateMerchantSettings, options: RequestOptions = {}): Promise<Merchant> {
    return this.#http.request({ method: 'POST', path: '/v1/merchant', body: params, idempotencyKey: options.idempotencyKey }, MerchantSchema);
  }
}
