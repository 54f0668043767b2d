/**
 * Webhook endpoints and deliveries: the endpoints a merchant registers per mode, each event's
 * delivery to each endpoint, and the log of every attempt. Re-exported by schemas.ts.
 */
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from './order-model.ts';
import { HttpUrlSchema, listedOnce, listSchema, ModeSchema } from './schema-primitives.ts';

export const WEBHOOK_ENDPOINT_ID = /^we_[0-9A-Za-z]{24}$/;
export const WebhookEndpointIdSchema = z.string().regex(WEBHOOK_ENDPOINT_ID, 'must be a webhook endpoint id like we_…');

/** Endpoints per mode, besides the primary one. */
export const MAX_WEBHOOK_ENDPOINTS = 16;

export const WEBHOOK_ENDPOINT_STATUSES = ['enabled', 'disabled'] as const;

const EVENT_FILTERS = ['*', ...WEBHOOK_EVENT_TYPES] as const;

/** Event types an endpoint receives, or `["*"]` for all of them. */
export const EnabledEventsSchema = z
  .array(z.enum(EVENT_FILTERS))
  .min(1, 'list at least one event type, or "*" for all')
  .max(EVENT_FILTERS.length)
  .refine((events) => !events.includes('*') || events.length === 1, '"*" already means every event: give it alone')
  .refine(listedOnce(), 'list each event type once');

const DescriptionSchema = z.string().min(1).max(500);

export const CreateWebhookEndpointRequestSchema = z.strictObject({
  url: HttpUrlSchema,
  description: DescriptionSchema.optional(),
  enabled_events: EnabledEventsSchema.default(['*']),
});
export type CreateWebhookEndpointRequest = z.infer<typeof CreateWebhookEndpointRequestSchema>;

export const UpdateWebhookEndpointRequestSchema = z.strictObject({
  url: HttpUrlSchema.optional(),
  description: DescriptionSchema.nullable().optional(),
  enabled_events: EnabledEventsSchema.optional(),
  /** `enabled` also clears a disabled endpoint's failure record, so it starts afresh. */
  status: z.enum(WEBHOOK_ENDPOINT_STATUSES).optional(),
});
export type UpdateWebhookEndpointRequest = z.infer<typeof UpdateWebhookEndpointRequestSchema>;

export const RollWebhookSecretRequestSchema = z.strictObject({
  /** How long the old secret keeps signing deliveries next to the new one, in seconds (at most 7 days). */
  expires_in: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(0),
});

export const WebhookEndpointSchema = z.object({
  id: WebhookEndpointIdSchema,
  object: z.literal('webhook_endpoint'),
  /** The mode whose events it receives; null for the primary endpoint, which receives both. */
  mode: ModeSchema.nullable(),
  /** The merchant's `webhook_url` setting, signed with the merchant's webhook secret. */
  primary: z.boolean(),
  url: z.string(),
  description: z.string().nullable(),
  enabled_events: z.array(z.enum(EVENT_FILTERS)),
  status: z.enum(WEBHOOK_ENDPOINT_STATUSES),
  /** Why the endpoint was disabled: by you, or by Till after three days of failures (since when, last error). */
  disabled_reason: z.string().nullable(),
  /** When the current run of failed deliveries began; null while deliveries succeed. */
  failing_since: z.number().int().nullable(),
  last_error: z.string().nullable(),
  /** Until when the secret it replaced still signs deliveries too (after a roll with `expires_in`). */
  previous_secret_expires_at: z.number().int().nullable(),
  created_at: z.number().int(),
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;

/** An endpoint as created or with its secret rolled: the only times the secret is shown. */
export const WebhookEndpointWithSecretSchema = WebhookEndpointSchema.extend({ secret: z.string() });
export type WebhookEndpointWithSecret = z.infer<typeof WebhookEndpointWithSecretSchema>;

export const WebhookEndpointListSchema = listSchema(WebhookEndpointSchema);

export const DeletedWebhookEndpointSchema = z.object({
  id: WebhookEndpointIdSchema,
  object: z.literal('webhook_endpoint'),
  deleted: z.literal(true),
});
export type DeletedWebhookEndpoint = z.infer<typeof DeletedWebhookEndpointSchema>;

export const WEBHOOK_DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryState = (typeof WEBHOOK_DELIVERY_STATES)[number];

/** One event's delivery to one endpoint: tried until acknowledged or for three days. */
export const WebhookDeliverySchema = z.object({
  endpoint_id: WebhookEndpointIdSchema,
  state: z.enum(WEBHOOK_DELIVERY_STATES),
  /** Queued by POST /v1/events/:id/redeliver rather than by the event itself. */
  redelivery: z.boolean(),
  tries: z.number().int(),
  created_at: z.number().int(),
  /** When the next try is due; null once delivered or failed. */
  next_attempt_at: z.number().int().nullable(),
  last_error: z.string().nullable(),
  delivered_at: z.number().int().nullable(),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

/** One HTTP request to an endpoint, as logged. */
export const DeliveryAttemptSchema = z.object({
  object: z.literal('delivery_attempt'),
  event_id: z.string().startsWith('evt_'),
  endpoint_id: WebhookEndpointIdSchema,
  redelivery: z.boolean(),
  attempted_at: z.number().int(),
  /** The endpoint's HTTP status; null when no answer came (`error` says why). */
  status: z.number().int().nullable(),
  error: z.enum(['timeout', 'network_error']).nullable(),
  latency_ms: z.number().int(),
  /** The first 200 characters of the endpoint's answer. */
  response_excerpt: z.string().nullable(),
});
export type DeliveryAttempt = z.infer<typeof DeliveryAttemptSchema>;

export const DeliveryAttemptListSchema = listSchema(DeliveryAttemptSchema);

export const RedeliverRequestSchema = z.strictObject({
  /** Only this endpoint; every enabled endpoint that receives the event when left out. */
  endpoint_id: WebhookEndpointIdSchema.optional(),
});
