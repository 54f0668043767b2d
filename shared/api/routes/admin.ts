/** Platform administration (the admin key): onboard, configure and disable merchants, issue keys, re-seal secrets. */
import * as s from '../../schemas.ts';
import { channelId, merchantId, orderId } from '../params.ts';
import { route } from '../route.ts';
import { OpenApiDocumentSchema } from '../schemas.ts';
import { ADMIN_READ, ADMIN_WRITE } from './kinds.ts';

export const ADMIN_ROUTES = {
  adminCreateMerchant: route({
    ...ADMIN_WRITE,
    path: '/v1/admin/merchants',
    tags: ['Admin'],
    summary: 'Create a merchant',
    description:
      'Creates a merchant with its test and live keys, webhook secret and request-signing secret, shown in ' +
      'this response only.',
    body: s.CreateMerchantRequestSchema,
    bodyExample: { name: 'Tote Shop', webhook_url: 'https://shop.example/till/webhooks', channels: ['sandbox'] },
    responses: { 201: { schema: s.MerchantWithKeysSchema, description: 'The merchant and its secrets.' } },
    errors: ['channel_not_available', 'merchant_already_created'],
    sdk: null,
  }),
  adminListMerchants: route({
    ...ADMIN_READ,
    path: '/v1/admin/merchants',
    tags: ['Admin'],
    summary: 'List merchants',
    description: 'Lists merchants, newest first, with cursor pagination.',
    query: s.AdminMerchantListQuerySchema,
    queryExample: { limit: '20' },
    responses: { 200: { schema: s.MerchantListSchema, description: 'A page of merchants.' } },
    errors: [],
    sdk: null,
  }),
  adminRetrieveMerchant: route({
    ...ADMIN_READ,
    path: '/v1/admin/merchants/{id}',
    tags: ['Admin'],
    params: { id: merchantId },
    summary: 'Retrieve a merchant',
    description: "Returns a merchant's settings, channels and limits.",
    responses: { 200: { schema: s.MerchantSchema, description: 'The merchant.' } },
    errors: ['merchant_not_found'],
    sdk: null,
  }),
  adminUpdateMerchant: route({
    ...ADMIN_WRITE,
    path: '/v1/admin/merchants/{id}',
    tags: ['Admin'],
    params: { id: merchantId },
    summary: 'Update a merchant',
    description:
      'Changes anything the merchant may change, plus its name, limits, live mode and whether it is disabled.',
    body: s.AdminUpdateMerchantSchema,
    bodyExample: { live_enabled: true, limits: { max_order_amount: { USD: 500000 } } },
    responses: { 200: { schema: s.MerchantSchema, description: 'The updated merchant.' } },
    errors: ['merchant_not_found'],
    sdk: null,
  }),
  adminConfigureChannel: route({
    ...ADMIN_WRITE,
    path: '/v1/admin/merchants/{id}/channels/{channel}',
    tags: ['Admin'],
    params: { id: merchantId, channel: channelId },
    summary: "Configure a merchant's channel",
    description: 'Enables or disables a channel for the merchant and stores its credentials encrypted.',
    body: s.ConfigureChannelRequestSchema,
    bodyExample: { enabled: true },
    responses: { 200: { schema: s.MerchantSchema, description: 'The updated merchant.' } },
    errors: ['merchant_not_found', 'channel_not_available', 'channel_error'],
    sdk: null,
  }),
  adminCreateApiKey: route({
    ...ADMIN_WRITE,
    path: '/v1/admin/merchants/{id}/keys',
    tags: ['Admin'],
    params: { id: merchantId },
    summary: 'Create a key for a merchant',
    description:
      'Creates a secret, publishable or restricted key for the merchant; its secret is in this response only.',
    body: s.AdminCreateApiKeyRequestSchema,
    bodyExample: { kind: 'restricted', mode: 'test' },
    responses: { 201: { schema: s.CreatedApiKeySchema, description: 'The new key with its secret.' } },
    errors: ['merchant_not_found'],
    sdk: null,
  }),
  adminReencryptMerchant: route({
    ...ADMIN_WRITE,
    path: '/v1/admin/merchants/{id}/reencrypt',
    tags: ['Admin'],
    params: { id: merchantId },
    summary: "Re-encrypt a merchant's credentials",
    description:
      "Seals the merchant's stored channel credentials again under the current master key, after a key " +
      'rotation. Takes no body (or `{}`).',
    responses: { 200: { schema: s.ReencryptionSchema, description: 'How many credentials were re-encrypted.' } },
    errors: ['merchant_not_found'],
    sdk: null,
  }),
};

export const ADMIN_ORDER_ROUTES = {
  adminListOrderNotifications: route({
    ...ADMIN_READ,
    path: '/v1/admin/orders/{id}/notifications',
    tags: ['Admin'],
    params: { id: orderId },
    summary: "List an order's channel notifications",
    description:
      "The operator's view of the notifications channels sent about any merchant's order, with what Till " +
      'made of each: a `rejected` one was signed by the channel but could never apply, and the channel was ' +
      'told to stop resending it.',
    responses: { 200: { schema: s.ChannelNotificationListSchema, description: 'The notifications, oldest first.' } },
    errors: ['order_not_found'],
    sdk: null,
  }),
};

export const META_ROUTES = {
  getOpenApiDocument: route({
    method: 'get',
    path: '/v1/openapi.json',
    tags: ['Meta'],
    auth: [],
    cors: 'any',
    idempotent: false,
    summary: 'This document',
    description: 'The OpenAPI 3.1 description of the Till API, generated from the schemas the worker validates with.',
    responses: { 200: { schema: OpenApiDocumentSchema, description: 'The OpenAPI document.' } },
    errors: [],
    sdk: null,
  }),
  getJwks: route({
    method: 'get',
    path: '/.well-known/jwks.json',
    tags: ['Meta'],
    auth: [],
    cors: 'any',
    idempotent: false,
    summary: 'Verification keys',
    description: 'The Ed25519 public keys that verify client tokens and receipts, for any JOSE library.',
    responses: { 200: { schema: s.JwksSchema, description: 'The JSON Web Key Set.' } },
    errors: [],
    sdk: null,
  }),
};
