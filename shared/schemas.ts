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

export const CreateMerchantRequestSchema = z.strictObject({
  name: z.string().min(1).max(100),
  webhook_url: HttpUrlSchema.optional(),
  channels: z.array(z.enum(['sandbox'])).min(1).default(['sandbox']),
});
export type CreateMerchantRequest = z.infer<typeof CreateMerchantRequestSchema>;

export const MerchantSchema = z.object({
  id: z.string().regex(MERCHANT_ID),
  object: z.literal('merchant'),
  name: z.string(),
  mode: ModeSchema,
  webhook_url: z.string().nullable(),
  channels: z.array(z.string()),
  created_at: z.number().int(),
});
export type Merchant = z.infer<typeof MerchantSchema>;

/** Returned once, at creation: the only time the secrets are shown. */
export const MerchantWithKeysSchema = MerchantSchema.extend({
  publishable_key: z.string(),
  secret_key: z.string(),
  webhook_secret: z.string(),
});
export type MerchantWithKeys = z.infer<typeof MerchantWithKeysSchema>;
