/**
 * Every request and response body of the public API, as zod schemas. The worker validates
 * with them at the boundary; the widget and the server SDK take their types from them.
 * Merchant and key schemas live in merchant-schemas.ts, webhook endpoints and deliveries in
 * webhook-schemas.ts, the log of channel notifications in notification-schemas.ts, shared pieces
 * in schema-primitives.ts; all are re-exported here.
 */
import { z } from 'zod';
import { PublicJwkSchema } from './jws.ts';
import { CHANNEL_ID_PATTERN } from './merchant-schemas.ts';
import {
  ATTEMPT_STATUSES,
  AUTOMATIC_REFUND_REASONS,
  CAPTURE_METHODS,
  DISPUTE_REASONS,
  DISPUTE_STATUSES,
  ORDER_STATUSES,
  REFUND_REASONS,
  REFUND_STATUSES,
  WEBHOOK_EVENT_TYPES,
} from './order-model.ts';
import {
  AmountSchema,
  ATTEMPT_ID,
  CurrencySchema,
  ListParamsShape,
  listSchema,
  MERCHANT_ID,
  MetadataSchema,
  ModeSchema,
  OrderIdSchema,
  ReturnUrlSchema,
} from './schema-primitives.ts';
import { WebhookDeliverySchema } from './webhook-schemas.ts';

export * from './merchant-schemas.ts';
export * from './notification-schemas.ts';
export * from './schema-primitives.ts';
export * from './webhook-schemas.ts';

export const CreateOrderRequestSchema = z.strictObject({
  amount: AmountSchema,
  currency: CurrencySchema,
  description: z.string().min(1).max(500),
  /** Where the shopper lands after paying on a channel's own page: the merchant's page, or an app's deep link. */
  return_url: ReturnUrlSchema.optional(),
  metadata: MetadataSchema.optional(),
  /** Seconds until the order expires: 1 minute to 7 days, 1 hour by default. */
  expires_in: z
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .optional(),
  /** `manual`: a card payment is only authorized, and the merchant captures or voids it. */
  capture_method: z.enum(CAPTURE_METHODS).optional(),
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

export const FailureSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** The processor's own code (e.g. Stripe `card_declined/insufficient_funds`, Adyen `12`), for the
   * merchant: never shown to the shopper. */
  processor_code: z.string().optional(),
});
export type Failure = z.infer<typeof FailureSchema>;

/** One processor a routed card attempt went to (several when Till failed over). */
export const ProcessorTrySchema = z.object({
  processor: z.string(),
  result: z.enum(['requires_action', 'processing', 'authorized', 'succeeded', 'failed', 'canceled', 'unavailable']),
  failure_code: z.string().nullable(),
  started_at: z.number().int(),
  ended_at: z.number().int(),
  /** What the try may have left at the processor was canceled or proven absent before the next began. */
  left_nothing: z.boolean(),
});
export type ProcessorTry = z.infer<typeof ProcessorTrySchema>;

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
  /** Money was taken on this attempt but cannot pay the order (already paid or closed); it stays
   * true after the automatic refund, which `refunds` lists with reason `duplicate_payment` or `order_closed`. */
  needs_refund: z.boolean(),
  /** A card attempt through Till's router: each processor it went to, in order (more than one after a
   * failover). Shown to the merchant only. */
  tries: z.array(ProcessorTrySchema).optional(),
});
export type Attempt = z.infer<typeof AttemptSchema>;

export const REFUND_ID = /^re_[0-9A-Za-z]{24}$/;

export const RefundSchema = z.object({
  id: z.string().regex(REFUND_ID),
  object: z.literal('refund'),
  order_id: OrderIdSchema,
  /** The attempt whose money goes back: the one that paid, or one that took money it could not use. */
  attempt_id: z.string().regex(ATTEMPT_ID),
  amount: z.number().int(),
  currency: CurrencySchema,
  status: z.enum(REFUND_STATUSES),
  reason: z.enum([...REFUND_REASONS, ...AUTOMATIC_REFUND_REASONS]).nullable(),
  /** Made by Till on its own (the shopper paid twice, or paid an order that had closed). */
  automatic: z.boolean(),
  metadata: z.record(z.string(), z.string()),
  failure: FailureSchema.nullable(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});
export type Refund = z.infer<typeof RefundSchema>;

export const DISPUTE_ID = /^dsp_[0-9A-Za-z]{24}$/;

/** A shopper's dispute (chargeback, or a bank's inquiry before one) of a payment, as its processor reports it. */
export const DisputeSchema = z.object({
  id: z.string().regex(DISPUTE_ID),
  object: z.literal('dispute'),
  order_id: OrderIdSchema,
  /** The attempt whose payment is disputed. */
  attempt_id: z.string().regex(ATTEMPT_ID),
  /** Minor units: usually what the attempt took, less when only part is disputed. */
  amount: z.number().int(),
  currency: CurrencySchema,
  status: z.enum(DISPUTE_STATUSES),
  reason: z.enum(DISPUTE_REASONS),
  /** The processor and its own words: reason or scheme code, and its id for the dispute. */
  processor: z.string(),
  processor_reason: z.string(),
  processor_dispute_id: z.string(),
  /** When evidence is due at the processor (unix seconds), when it says. */
  evidence_due_by: z.number().int().nullable(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});
export type Dispute = z.infer<typeof DisputeSchema>;

export const CreateRefundRequestSchema = z.strictObject({
  /** Minor units; all that remains refundable when left out. */
  amount: AmountSchema.optional(),
  /** The attempt to refund: the paid one when left out, or one that took money it could not use
   * (`needs_refund`), e.g. to retry an automatic refund the channel declined. */
  attempt_id: z.string().regex(ATTEMPT_ID).optional(),
  reason: z.enum(REFUND_REASONS).optional(),
  metadata: MetadataSchema.optional(),
});
export type CreateRefundRequest = z.infer<typeof CreateRefundRequestSchema>;

export const CaptureOrderRequestSchema = z.strictObject({
  /** Minor units, at most the authorized amount; the whole authorization when left out. The part left
   * uncaptured is released to the shopper. */
  amount: AmountSchema.optional(),
});

export const RefundListSchema = z.object({ object: z.literal('list'), data: z.array(RefundSchema) });

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
  capture_method: z.enum(CAPTURE_METHODS),
  attempts: z.array(AttemptSchema),
  /** What the paid attempt took, in minor units: the amount, or less after a partial capture; null until paid. */
  amount_captured: z.number().int().nullable(),
  /** Refunds of the paid attempt that succeeded, in minor units. */
  amount_refunded: z.number().int(),
  /** Every refund, the merchant's and Till's automatic ones, oldest first. */
  refunds: z.array(RefundSchema),
  /** Disputes of the order's payments, oldest first; `dispute.*` webhooks tell of each change. */
  disputes: z.array(DisputeSchema),
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
    /** Grows with every change of the order: a summary with a lower one is older than one seen. */
    version: z.number().int(),
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
  /** Where a redirect or challenge returns the shopper: the widget frame's own URL, a page on one of
   * the merchant's allowed origins, or the order's own return_url. */
  return_url: ReturnUrlSchema.optional(),
});

export const WebhookEventSchema = z.object({
  id: z.string().startsWith('evt_'),
  object: z.literal('event'),
  type: z.enum(WEBHOOK_EVENT_TYPES),
  created: z.number().int(),
  mode: ModeSchema,
  data: z.object({
    object: OrderSchema.omit({ client_token: true }),
    /** For `refund.*` events: the refund the event is about. */
    refund: RefundSchema.optional(),
    /** For `dispute.*` events: the dispute the event is about. */
    dispute: DisputeSchema.optional(),
  }),
});
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

/** One entry of an order's timeline: the event and its delivery to each webhook endpoint. */
export const OrderEventEntrySchema = z.object({
  seq: z.number().int(),
  id: z.string().startsWith('evt_'),
  type: z.enum(WEBHOOK_EVENT_TYPES),
  created_at: z.number().int(),
  /**
   * All deliveries at once: `pending` while any is (or the event is not yet handed out),
   * `delivered` when each endpoint's latest delivery is, `failed` otherwise, `no_endpoint` when
   * no endpoint received it.
   */
  state: z.enum(['pending', 'delivered', 'failed', 'no_endpoint']),
  /** One per endpoint the event went to, plus any redeliveries, oldest first. */
  deliveries: z.array(WebhookDeliverySchema),
  event: WebhookEventSchema,
});
export type OrderEventEntry = z.infer<typeof OrderEventEntrySchema>;

export const OrderEventListSchema = z.object({ object: z.literal('list'), data: z.array(OrderEventEntrySchema) });

export const JwksSchema = z.object({ keys: z.array(PublicJwkSchema) });

// ---- listing ------------------------------------------------------------------------------

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

export const EventListQuerySchema = z
  .strictObject({
    ...ListParamsShape,
    starting_after: z
      .string()
      .regex(/^evt_[0-9A-Za-z]{24}$/)
      .optional(),
    ending_before: z
      .string()
      .regex(/^evt_[0-9A-Za-z]{24}$/)
      .optional(),
    type: z.enum(WEBHOOK_EVENT_TYPES).optional(),
    order: OrderIdSchema.optional(),
  })
  .refine((q) => !(q.starting_after && q.ending_before), 'use starting_after or ending_before, not both');

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

export const OrderListSchema = listSchema(OrderListItemSchema);
export const EventListSchema = listSchema(WebhookEventSchema);

export const PaymentMethodsQuerySchema = z.strictObject({
  /** A publishable key may come here instead of the Authorization header (no CORS preflight). */
  key: z.string().optional(),
  amount: z
    .string()
    .regex(/^\d{1,15}$/, 'must be an integer number of minor units')
    .transform(Number)
    .pipe(AmountSchema),
  currency: CurrencySchema,
  context: ShopperContextSchema.default('desktop'),
  /** Orders with manual capture offer only the methods that can hold an authorization. */
  capture_method: z.enum(CAPTURE_METHODS).default('automatic'),
});

/** The payment methods a merchant offers, for a publishable key on the merchant's own pages. */
export const PaymentMethodListSchema = z.object({ object: z.literal('list'), data: z.array(PaymentMethodSchema) });
