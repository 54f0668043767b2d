/**
 * Every request and response body of the public API, as zod schemas. The worker validates
 * with them at the boundary; the widget and the server SDK take their types from them.
 */
import { z } from 'zod';
import { isCurrency, MAX_AMOUNT, type Currency } from './money.ts';
import { PublicJwkSchema } from './jws.ts';
import { ATTEMPT_STATUSES, ORDER_STATUSES, WEBHOOK_EVENT_TYPES } from './order-model.ts';

export const ORDER_ID = /^ord_[0-9A-Za-z]{24}$/;
export const ATTEMPT_ID = /^att_[0-9A-Za-z]{20}$/;
export const MERCHANT_ID = /^mer_[0-9A-Za-z]{16}$/;

export const OrderIdSchema = z.string().regex(ORDER_ID, 'must be an order id like ord_…');

export const AmountSchema = z
  .number({ error: 'amount must be an integer number of minor units' })
  .int('amount must be an integer number of minor units')
  .min(1, 'amount must be at least 1 minor unit')
  .max(MAX_AMOUNT, `amount must be at most ${MAX_AMOUNT} minor units`);

export const CurrencySchema = z
  .string({ error: 'currency must be an ISO 4217 code' })
  .refine(isCurrency, 'currency must be an upper-case ISO 4217 code Till supports')
  .transform((code) => code as Currency);

export const HttpUrlSchema = z
  .string()
  .max(2048)
  .url()
  .refine((url) => /^https?:\/\//.test(url), 'must be an http(s) URL');

export const MetadataSchema = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((metadata) => Object.keys(metadata).length <= 20, 'metadata may have at most 20 keys');

export const ModeSchema = z.enum(['test', 'live']);
export type Mode = z.infer<typeof ModeSchema>;

export const CreateOrderRequestSchema = z.strictObject({
  amount: AmountSchema,
  currency: CurrencySchema,
  description: z.string().min(1).max(500),
  return_url: HttpUrlSchema.optional(),
  metadata: MetadataSchema.optional(),
  /** Seconds until the order expires: 1 minute to 7 days, 1 hour by default. */
  expires_in: z.number().int().min(60).max(7 * 24 * 3600).optional(),
});
export type CreateOrderRequest = z.infer<typeof CreateOrderRequestSchema>;

export const NextActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('redirect'), url: z.string() }),
  z.object({ type: z.literal('three_ds'), url: z.string() }),
  z.object({ type: z.literal('qr'), payload: z.string(), expires_at: z.number().int().optional() }),
  z.object({ type: z.literal('jsapi'), params: z.record(z.string(), z.string()) }),
]);
export type NextAction = z.infer<typeof NextActionSchema>;

export const FailureSchema = z.object({ code: z.string(), message: z.string() });
export type Failure = z.infer<typeof FailureSchema>;

export const AttemptSchema = z.object({
  id: z.string().regex(ATTEMPT_ID),
  channel: z.string(),
  method: z.string(),
  status: z.enum(ATTEMPT_STATUSES),
  amount: z.number().int(),
  currency: CurrencySchema,
  created_at: z.number().int(),
  next_action: NextActionSchema.nullable(),
  failure: FailureSchema.nullable(),
  /** What the channel tells about the payer's instrument (card brand and last four digits). */
  instrument: z.object({ brand: z.string(), last4: z.string() }).nullable(),
  /** Money was taken on this attempt but cannot pay the order (already paid or closed). */
  needs_refund: z.boolean(),
});
export type Attempt = z.infer<typeof AttemptSchema>;

export const OrderSchema = z.object({
  id: OrderIdSchema,
  object: z.literal('order'),
  merchant_id: z.string().regex(MERCHANT_ID),
  mode: ModeSchema,
  status: z.enum(ORDER_STATUSES),
  amount: z.number().int(),
  currency: CurrencySchema,
  description: z.string(),
  return_url: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
  created_at: z.number().int(),
  expires_at: z.number().int(),
  paid_at: z.number().int().nullable(),
  canceled_at: z.number().int().nullable(),
  paid_attempt_id: z.string().nullable(),
  last_failure: FailureSchema.nullable(),
  attempts: z.array(AttemptSchema),
  client_token: z.string(),
  receipt: z.string().nullable(),
});
export type Order = z.infer<typeof OrderSchema>;

/** Shopper context sent by the widget; decides which methods fit. */
export const ShopperContextSchema = z.enum(['desktop', 'mobile', 'wechat', 'alipay']);
export type ShopperContext = z.infer<typeof ShopperContextSchema>;

export const PaymentMethodSchema = z.object({
  channel: z.string(),
  method: z.string(),
  /** Which flow the widget runs: a card form, a QR code to scan, or a redirect. */
  kind: z.enum(['card', 'qr', 'redirect', 'jsapi']),
  label: z.string(),
});
export type PaymentMethod = z.infer<typeof PaymentMethodSchema>;

export const CheckoutSummarySchema = z.object({
  order: z.object({
    id: OrderIdSchema,
    status: z.enum(ORDER_STATUSES),
    amount: z.number().int(),
    currency: CurrencySchema,
    description: z.string(),
    merchant_name: z.string(),
    mode: ModeSchema,
    expires_at: z.number().int(),
    return_url: z.string().nullable(),
  }),
  methods: z.array(PaymentMethodSchema),
  /** The attempt the shopper is in the middle of, if any. */
  attempt: AttemptSchema.nullable(),
  last_failure: FailureSchema.nullable(),
  receipt: z.string().nullable(),
});
export type CheckoutSummary = z.infer<typeof CheckoutSummarySchema>;

/** The common part of a new attempt; each channel adds its own fields (see its folder). */
export const StartAttemptBaseSchema = z.object({
  channel: z.string().min(1).max(32),
  method: z.string().min(1).max(32),
  /** Where a redirect or challenge returns the shopper: the widget frame's own URL. */
  return_url: HttpUrlSchema.optional(),
});

export const WebhookEventSchema = z.object({
  id: z.string().startsWith('evt_'),
  object: z.literal('event'),
  type: z.enum(WEBHOOK_EVENT_TYPES),
  created: z.number().int(),
  mode: ModeSchema,
  data: z.object({ object: OrderSchema.omit({ client_token: true }) }),
});
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

/** One entry of an order's timeline: the event and the state of its webhook delivery. */
export const OrderEventEntrySchema = z.object({
  seq: z.number().int(),
  id: z.string().startsWith('evt_'),
  type: z.enum(WEBHOOK_EVENT_TYPES),
  created_at: z.number().int(),
  state: z.enum(['pending', 'delivered', 'failed', 'no_endpoint']),
  tries: z.number().int(),
  next_attempt_at: z.number().int(),
  last_error: z.string().nullable(),
  delivered_at: z.number().int().nullable(),
  event: WebhookEventSchema,
});
export type OrderEventEntry = z.infer<typeof OrderEventEntrySchema>;

export const OrderEventListSchema = z.object({ object: z.literal('list'), data: z.array(OrderEventEntrySchema) });

export const JwksSchema = z.object({ keys: z.array(PublicJwkSchema) });

/** A browser origin allowed to embed the widget and call the browser-facing endpoints. */
export const OriginSchema = z
  .string()
  .max(255)
  .refine((value) => {
    try {
      const url = new URL(value);
      const secure = url.protocol === 'https:' || (url.protocol === 'http:' && /^(localhost|127\.0\.0\.1|\[::1\])$/.test(url.hostname));
      return secure && url.origin === value;
    } catch {
      return false;
    }
  }, 'must be an origin like https://shop.example (https, no path; http only for localhost)');

export const CHANNEL_ID_PATTERN = /^[a-z][a-z0-9_]{1,31}$/;

/** Per-merchant limits enforced when an order is created. */
export const MerchantLimitsSchema = z.strictObject({
  /** Largest order per currency, in minor units; currencies not listed are limited only by the API maximum. */
  max_order_amount: z.partialRecord(CurrencySchema, AmountSchema).default({}),
});
export type MerchantLimits = z.infer<typeof MerchantLimitsSchema>;

/** An Ed25519 public key the merchant registered to sign its requests (raw 32 bytes, base64url). */
export const SigningPublicKeySchema = z.strictObject({
  kid: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/, 'must be 1 to 64 characters of A-Z, a-z, 0-9, _ or -'),
  x: z.string().regex(/^[0-9A-Za-z_-]{43}$/, 'must be the 32-byte Ed25519 public key in base64url (43 characters)'),
});
export type SigningPublicKey = z.infer<typeof SigningPublicKeySchema>;

const MerchantSettingsShape = {
  webhook_url: HttpUrlSchema.nullable(),
  allowed_origins: z.array(OriginSchema).max(20),
  require_signed_requests: z.boolean(),
  signing_public_keys: z.array(SigningPublicKeySchema).max(5),
};

export const CreateMerchantRequestSchema = z.strictObject({
  name: z.string().min(1).max(100),
  webhook_url: HttpUrlSchema.optional(),
  allowed_origins: MerchantSettingsShape.allowed_origins.optional(),
  channels: z.array(z.string().regex(CHANNEL_ID_PATTERN)).min(1).max(10).default(['sandbox']),
  limits: MerchantLimitsSchema.optional(),
  require_signed_requests: z.boolean().optional(),
});
export type CreateMerchantRequest = z.infer<typeof CreateMerchantRequestSchema>;

/** What a merchant may change about itself with its secret key. */
export const UpdateMerchantSettingsSchema = z.strictObject({
  webhook_url: MerchantSettingsShape.webhook_url.optional(),
  allowed_origins: MerchantSettingsShape.allowed_origins.optional(),
  require_signed_requests: MerchantSettingsShape.require_signed_requests.optional(),
  signing_public_keys: MerchantSettingsShape.signing_public_keys.optional(),
});
export type UpdateMerchantSettings = z.infer<typeof UpdateMerchantSettingsSchema>;

/** What the platform admin may change: everything the merchant may, and more. */
export const AdminUpdateMerchantSchema = UpdateMerchantSettingsSchema.extend({
  name: z.string().min(1).max(100).optional(),
  limits: MerchantLimitsSchema.optional(),
  live_enabled: z.boolean().optional(),
  disabled: z.boolean().optional(),
});
export type AdminUpdateMerchant = z.infer<typeof AdminUpdateMerchantSchema>;

/** Enables or disables a channel; credentials (checked by the channel's own schema) are stored encrypted. */
export const ConfigureChannelRequestSchema = z.strictObject({
  enabled: z.boolean(),
  credentials: z.record(z.string(), z.unknown()).optional(),
});
export type ConfigureChannelRequest = z.infer<typeof ConfigureChannelRequestSchema>;

export const MerchantChannelSchema = z.object({
  channel: z.string(),
  enabled: z.boolean(),
  /** Credentials are write-only: only their presence and the master key id they are sealed under show. */
  has_credentials: z.boolean(),
  credentials_updated_at: z.number().int().nullable(),
});

export const MerchantSchema = z.object({
  id: z.string().regex(MERCHANT_ID),
  object: z.literal('merchant'),
  name: z.string(),
  live_enabled: z.boolean(),
  disabled: z.boolean(),
  webhook_url: z.string().nullable(),
  allowed_origins: z.array(z.string()),
  channels: z.array(MerchantChannelSchema),
  limits: z.object({ max_order_amount: z.record(z.string(), z.number().int()) }),
  require_signed_requests: z.boolean(),
  signing_public_keys: z.array(SigningPublicKeySchema),
  created_at: z.number().int(),
});
export type Merchant = z.infer<typeof MerchantSchema>;

/** Returned once, at creation: the only time the secrets are shown. */
export const MerchantWithKeysSchema = MerchantSchema.extend({
  publishable_key: z.string(),
  secret_key: z.string(),
  live_publishable_key: z.string(),
  live_secret_key: z.string(),
  webhook_secret: z.string(),
  request_signing_secret: z.string(),
});
export type MerchantWithKeys = z.infer<typeof MerchantWithKeysSchema>;

export const API_KEY_KINDS = ['secret', 'publishable', 'restricted'] as const;
export type ApiKeyKind = (typeof API_KEY_KINDS)[number];

export const ApiKeySchema = z.object({
  id: z.string().startsWith('key_'),
  object: z.literal('api_key'),
  kind: z.enum(API_KEY_KINDS),
  mode: ModeSchema,
  /** The key's first characters, enough to recognise it; the key itself is never shown again. */
  prefix: z.string(),
  created_at: z.number().int(),
  /** Set when the key was rolled: it keeps working until then. */
  expires_at: z.number().int().nullable(),
  revoked_at: z.number().int().nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

/** A key as created or rolled: the one time its secret is shown. */
export const CreatedApiKeySchema = ApiKeySchema.extend({ secret: z.string() });
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;

/** A merchant creates restricted keys in the mode of the key it calls with. */
export const CreateApiKeyRequestSchema = z.strictObject({
  kind: z.enum(['restricted']),
  /** Optional; when given it must be the calling key's mode. */
  mode: ModeSchema.optional(),
});

export const RollApiKeyRequestSchema = z.strictObject({
  /** How long the old key keeps working, in seconds (0 = refuse it at once, at most 30 days). */
  expires_in: z.number().int().min(0).max(30 * 24 * 3600).default(0),
});

export const RollSecretResponseSchema = z.object({ object: z.literal('signing_secret'), secret: z.string() });

// ---- listing ------------------------------------------------------------------------------

const unixSeconds = z.string().regex(/^\d{1,12}$/, 'must be unix seconds').transform(Number);

/** Cursor pagination shared by every list: newest first, `starting_after` pages on, `ending_before` back. */
export const ListParamsShape = {
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be an integer from 1 to 100')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100, 'must be an integer from 1 to 100')
    .default(10),
  'created[gt]': unixSeconds.optional(),
  'created[gte]': unixSeconds.optional(),
  'created[lt]': unixSeconds.optional(),
  'created[lte]': unixSeconds.optional(),
};

export const OrderListQuerySchema = z
  .strictObject({
    ...ListParamsShape,
    starting_after: OrderIdSchema.optional(),
    ending_before: OrderIdSchema.optional(),
    status: z.enum(ORDER_STATUSES).optional(),
    channel: z.string().regex(CHANNEL_ID_PATTERN).optional(),
    currency: CurrencySchema.optional(),
  })
  .refine((q) => !(q.starting_after && q.ending_before), 'use starting_after or ending_before, not both');
export type OrderListQuery = z.infer<typeof OrderListQuerySchema>;

export const EventListQuerySchema = z
  .strictObject({
    ...ListParamsShape,
    starting_after: z.string().regex(/^evt_[0-9A-Za-z]{24}$/).optional(),
    ending_before: z.string().regex(/^evt_[0-9A-Za-z]{24}$/).optional(),
    type: z.enum(WEBHOOK_EVENT_TYPES).optional(),
    order: OrderIdSchema.optional(),
  })
  .refine((q) => !(q.starting_after && q.ending_before), 'use starting_after or ending_before, not both');
export type EventListQuery = z.infer<typeof EventListQuerySchema>;

/** An order as the index lists it: the order's facts without its attempts and tokens. */
export const OrderListItemSchema = OrderSchema.pick({
  id: true,
  object: true,
  merchant_id: true,
  mode: true,
  status: true,
  amount: true,
  currency: true,
  description: true,
  metadata: true,
  created_at: true,
  paid_at: true,
}).extend({
  /** The channel of the attempt that paid, if any. */
  paid_channel: z.string().nullable(),
  updated_at: z.number().int(),
});
export type OrderListItem = z.infer<typeof OrderListItemSchema>;

export function listSchema<T extends z.ZodType>(item: T) {
  return z.object({ object: z.literal('list'), data: z.array(item), has_more: z.boolean(), url: z.string() });
}
export const OrderListSchema = listSchema(OrderListItemSchema);
export const EventListSchema = listSchema(WebhookEventSchema);
export const ApiKeyListSchema = listSchema(ApiKeySchema);
export const MerchantListSchema = listSchema(MerchantSchema);

export interface List<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export const PaymentMethodsQuerySchema = z.strictObject({
  /** A publishable key may come here instead of the Authorization header (no CORS preflight). */
  key: z.string().optional(),
  amount: z.string().regex(/^\d{1,15}$/, 'must be an integer number of minor units').transform(Number).pipe(AmountSchema),
  currency: CurrencySchema,
  context: ShopperContextSchema.default('desktop'),
});

/** The payment methods a merchant offers, for a publishable key on the merchant's own pages. */
export const PaymentMethodListSchema = z.object({ object: z.literal('list'), data: z.array(PaymentMethodSchema) });

// ---- platform admin -------------------------------------------------------------------------

export const AdminMerchantListQuerySchema = z
  .strictObject({
    ...ListParamsShape,
    starting_after: z.string().regex(MERCHANT_ID).optional(),
    ending_before: z.string().regex(MERCHANT_ID).optional(),
  })
  .refine((q) => !(q.starting_after && q.ending_before), 'use starting_after or ending_before, not both');

/** The admin may issue any kind of key, in either mode. */
export const AdminCreateApiKeyRequestSchema = z.strictObject({ kind: z.enum(API_KEY_KINDS), mode: ModeSchema.default('test') });

export const ReencryptionSchema = z.object({
  object: z.literal('reencryption'),
  merchant_id: z.string().regex(MERCHANT_ID),
  reencrypted: z.number().int().describe('How many sealed values were sealed again under the current master key.'),
  key_id: z.string().describe('The master key id everything is now sealed under.'),
});
