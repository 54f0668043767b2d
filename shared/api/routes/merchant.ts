/** The merchant's own account: settings, channels, signing secret, API keys, and the methods it offers. */
import * as s from '../../schemas.ts';
import { apiKeyId, channelId } from '../params.ts';
import { route } from '../route.ts';
import { MERCHANT_READ, MERCHANT_WRITE } from './kinds.ts';

const LIMITS = ['merchant-key'] as const;

export const MERCHANT_ROUTES = {
  retrieveMerchant: route({
    ...MERCHANT_READ,
    path: '/v1/merchant',
    tags: ['Merchant'],
    summary: 'Retrieve your merchant account',
    description: 'Returns your settings, channels and limits. Channel credentials are write-only and never returned.',
    responses: { 200: { schema: s.MerchantSchema, description: 'Your merchant account.' } },
    errors: [],
    sdk: { resource: 'merchant', method: 'retrieve' },
  }),
  updateMerchant: route({
    ...MERCHANT_WRITE,
    path: '/v1/merchant',
    tags: ['Merchant'],
    sharedSettings: true,
    summary: 'Update your settings',
    description:
      'Changes your webhook URL, allowed widget origins, request-signing requirement or Ed25519 signing keys. ' +
      'Fields left out stay as they are.',
    body: s.UpdateMerchantSettingsSchema,
    bodyExample: { webhook_url: 'https://shop.example/till/webhooks', allowed_origins: ['https://shop.example'] },
    responses: { 200: { schema: s.MerchantSchema, description: 'Your updated merchant account.' } },
    errors: [],
    sdk: { resource: 'merchant', method: 'update' },
  }),
  configureChannel: route({
    ...MERCHANT_WRITE,
    path: '/v1/merchant/channels/{channel}',
    tags: ['Merchant'],
    params: { channel: channelId },
    summary: 'Configure a channel',
    description:
      "Enables or disables a payment channel and stores its credentials, checked against the channel's own " +
      'schema and kept encrypted. Credentials are per mode: a key sets those of its own mode. Switching a ' +
      'channel on or off serves both modes, so once live mode is on it needs a live secret key.',
    body: s.ConfigureChannelRequestSchema,
    bodyExample: { enabled: true },
    responses: { 200: { schema: s.MerchantSchema, description: 'Your updated merchant account.' } },
    errors: ['channel_not_available', 'channel_error'],
    sdk: { resource: 'merchant', method: 'configureChannel' },
  }),
  rollSigningSecret: route({
    ...MERCHANT_WRITE,
    path: '/v1/merchant/signing_secret/roll',
    tags: ['Merchant'],
    sharedSettings: true,
    summary: 'Roll the request-signing secret',
    description:
      'Replaces the HMAC secret you sign requests with (`Till-Signature: …,v1=`) and returns the new one; this ' +
      'is the only time it is shown.',
    responses: { 200: { schema: s.RollSecretResponseSchema, description: 'The new secret.' } },
    errors: [],
    sdk: { resource: 'merchant', method: 'rollSigningSecret' },
  }),
  listApiKeys: route({
    method: 'get',
    path: '/v1/keys',
    tags: ['API keys'],
    auth: ['secret'],
    limits: LIMITS,
    idempotent: false,
    summary: 'List API keys',
    description:
      "Lists the API keys of the calling key's mode by prefix; secrets are shown only when a key is created " +
      'or rolled.',
    responses: { 200: { schema: s.ApiKeyListSchema, description: 'Your keys.' } },
    errors: [],
    sdk: { resource: 'keys', method: 'list' },
  }),
  createApiKey: route({
    ...MERCHANT_WRITE,
    path: '/v1/keys',
    tags: ['API keys'],
    summary: 'Create a restricted key',
    description:
      'Creates a read-only restricted key (`rk_…`) for reporting tools, in the mode of the calling key; its ' +
      'secret is in this response only.',
    body: s.CreateApiKeyRequestSchema,
    bodyExample: { kind: 'restricted' },
    responses: { 201: { schema: s.CreatedApiKeySchema, description: 'The new key with its secret.' } },
    errors: [],
    sdk: { resource: 'keys', method: 'create' },
  }),
  rollApiKey: route({
    ...MERCHANT_WRITE,
    path: '/v1/keys/{id}/roll',
    tags: ['API keys'],
    params: { id: apiKeyId },
    summary: 'Roll an API key',
    description:
      'Issues a replacement for a key; the old one keeps working for `expires_in` seconds so you can deploy ' +
      "the new one. A key rolls once, and only keys of the calling key's mode.",
    body: s.RollApiKeyRequestSchema,
    bodyExample: { expires_in: 3600 },
    responses: { 200: { schema: s.CreatedApiKeySchema, description: 'The replacement key with its secret.' } },
    errors: ['api_key_not_found', 'api_key_not_active'],
    sdk: { resource: 'keys', method: 'roll' },
  }),
  revokeApiKey: route({
    ...MERCHANT_WRITE,
    path: '/v1/keys/{id}/revoke',
    tags: ['API keys'],
    params: { id: apiKeyId },
    summary: 'Revoke an API key',
    description: 'Refuses the key from now on. A revoked key cannot be restored. Takes no body (or `{}`).',
    responses: { 200: { schema: s.ApiKeySchema, description: 'The revoked key.' } },
    errors: ['api_key_not_found', 'api_key_not_active'],
    sdk: { resource: 'keys', method: 'revoke' },
  }),
  listPaymentMethods: route({
    method: 'get',
    path: '/v1/payment_methods',
    tags: ['Payment methods'],
    auth: ['publishable', 'secret', 'restricted'],
    keyInQuery: true,
    limits: LIMITS,
    cors: 'merchant_origins',
    idempotent: false,
    summary: 'List payment methods',
    description:
      'The methods you offer for an amount, to show on your own pages. From a browser, send the publishable ' +
      'key as `?key=pk_…`: no CORS preflight.',
    query: s.PaymentMethodsQuerySchema,
    queryExample: { amount: '2900', currency: 'USD' },
    responses: {
      200: {
        schema: s.PaymentMethodListSchema,
        description: 'The methods that fit this amount and shopper, in display order.',
      },
    },
    errors: [],
    sdk: { resource: 'paymentMethods', method: 'list' },
  }),
};
