/** The client: `new Till({ secretKey, baseUrl })`, one property per API area. */
import { HttpClient } from './http.ts';
import { merchantIdOfKey, modeOfKey, resolveOptions, type TillOptions } from './options.ts';
import { Receipts } from './receipts.ts';
import { Events } from './resources/events.ts';
import { Keys } from './resources/keys.ts';
import { MerchantResource } from './resources/merchant.ts';
import { Orders } from './resources/orders.ts';
import { WebhookEndpoints } from './resources/webhook-endpoints.ts';
import {
  type ClientWebhooks,
  endpointIdOf,
  verifyWebhook,
  verifyWebhookWithJwks,
  type Webhooks,
  webhookKeyId,
  webhooks,
} from './webhooks.ts';

export class Till {
  /** Webhook verification needs no client: `await Till.webhooks.verify(rawBody, header, secret)`. */
  static readonly webhooks: Webhooks = webhooks;

  readonly orders: Orders;
  readonly events: Events;
  readonly webhookEndpoints: WebhookEndpoints;
  readonly merchant: MerchantResource;
  readonly keys: Keys;
  readonly receipts: Receipts;
  /**
   * Like `Till.webhooks`, but refuses events of the other mode than this client's key by default;
   * `verifyWithJwks(rawBody, header, { endpointId })` also refuses events about another merchant
   * than the key's, and fetches and caches Till's JWKS when not given one.
   */
  readonly webhooks: ClientWebhooks;

  constructor(options: TillOptions) {
    const resolved = resolveOptions(options);
    const http = new HttpClient(resolved);
    const mode = modeOfKey(resolved.secretKey);
    // Derived like the receipts' check (receipts.ts): null for a key that does not show it.
    const merchantId = merchantIdOfKey(resolved.secretKey);
    const withMode = <O extends object>(verifyOptions: O): O =>
      mode === null ? verifyOptions : { mode, ...verifyOptions };
    const withMerchant = <O extends object>(verifyOptions: O): O =>
      merchantId === null ? verifyOptions : { merchantId, ...verifyOptions };
    this.webhooks = {
      verify: (rawBody, header, secret, verifyOptions = {}) =>
        verifyWebhook(rawBody, header, secret, withMode(verifyOptions)),
      verifyWithJwks: async (rawBody, header, verifyOptions) => {
        endpointIdOf(verifyOptions); // before fetching anything
        const { jwks, ...rest } = verifyOptions;
        const keys = jwks ?? { keys: await this.receipts.keysFor(await webhookKeyId(header)) };
        return verifyWebhookWithJwks(rawBody, header, keys, withMerchant(withMode(rest)));
      },
    };
    this.orders = new Orders(http);
    this.events = new Events(http);
    this.webhookEndpoints = new WebhookEndpoints(http);
    this.merchant = new MerchantResource(http);
    this.keys = new Keys(http);
    this.receipts = new Receipts(http);
  }
}
