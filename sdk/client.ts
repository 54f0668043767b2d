/** The client: `new Till({ secretKey, baseUrl })`, one property per API area, declared from the route table. */
import type { ApiRoutes } from '../shared/api/routes.ts';
import { HttpClient, type RequestOptions } from './http.ts';
import { merchantIdOfKey, modeOfKey, resolveOptions, type TillOptions } from './options.ts';
import { Receipts } from './receipts.ts';
import {
  type Answer,
  type AutoPaging,
  type BodyParams,
  type QueryParams,
  type Resource,
  resource,
} from './resources.ts';
import {
  type ClientWebhooks,
  endpointIdOf,
  verifyWebhook,
  verifyWebhookWithJwks,
  type Webhooks,
  webhookKeyId,
  webhooks,
} from './webhooks.ts';

export type Orders = Resource<'orders'> & AutoPaging<'orders'>;
export type Events = Resource<'events'> & AutoPaging<'events'>;
export type WebhookEndpoints = Resource<'webhookEndpoints'>;
export type Keys = Resource<'keys'>;
export type PaymentMethods = Resource<'paymentMethods'>;
export type MerchantResource = Omit<Resource<'merchant'>, 'rollSigningSecret'> & {
  /** A new request-signing secret, shown this once; the old one stops working at once. */
  rollSigningSecret(options?: RequestOptions): Promise<string>;
};

/** What `orders.create` takes: the API's request body (currency as a plain string code). */
export type OrderCreateParams = BodyParams<ApiRoutes['createOrder']>;
export type OrderListParams = QueryParams<ApiRoutes['listOrders']>;
/** Unix-seconds bounds on `created`, sent as `created[gt]=…`. */
export type CreatedRange = NonNullable<OrderListParams['created']>;
export type OrderEventList = Answer<ApiRoutes['listOrderEvents']>;
export type EventListParams = QueryParams<ApiRoutes['listEvents']>;
export type ApiKeyCreateParams = BodyParams<ApiRoutes['createApiKey']>;
export type ApiKeyRollParams = BodyParams<ApiRoutes['rollApiKey']>;
export type WebhookEndpointCreateParams = BodyParams<ApiRoutes['createWebhookEndpoint']>;
export type WebhookEndpointRollParams = BodyParams<ApiRoutes['rollWebhookEndpointSecret']>;
export type PaymentMethodListParams = QueryParams<ApiRoutes['listPaymentMethods']>;

export class Till {
  /** Webhook verification needs no client: `await Till.webhooks.verify(rawBody, header, secret)`. */
  static readonly webhooks: Webhooks = webhooks;

  readonly orders: Orders;
  readonly events: Events;
  readonly webhookEndpoints: WebhookEndpoints;
  readonly merchant: MerchantResource;
  readonly keys: Keys;
  readonly paymentMethods: PaymentMethods;
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
    this.orders = resource(http, 'orders');
    this.events = resource(http, 'events');
    this.webhookEndpoints = resource(http, 'webhookEndpoints');
    this.keys = resource(http, 'keys');
    this.paymentMethods = resource(http, 'paymentMethods');
    const merchant = resource(http, 'merchant');
    this.merchant = {
      ...merchant,
      rollSigningSecret: async (requestOptions) => (await merchant.rollSigningSecret(requestOptions)).secret,
    };
    this.receipts = new Receipts(http);
  }
}
