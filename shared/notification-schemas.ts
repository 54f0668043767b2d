/**
 * The log of the notifications channels sent about an order, as the operator reads it: when each
 * came, what Till made of it, and why it was refused. Never its body or signature. Re-exported by
 * schemas.ts.
 */
import { z } from 'zod';
import { CHANNEL_ID_PATTERN } from './merchant-schemas.ts';
import { ATTEMPT_ID, OrderIdSchema } from './schema-primitives.ts';

/** `applied`: verified and taken into account (it may have changed nothing, `no_change`);
 * `duplicate`: the channel sent this event before; `rejected`: verified, but it can never apply. */
export const CHANNEL_NOTIFICATION_OUTCOMES = ['applied', 'duplicate', 'rejected'] as const;
export type ChannelNotificationOutcome = (typeof CHANNEL_NOTIFICATION_OUTCOMES)[number];

export const CHANNEL_NOTIFICATION_REASONS = [
  // applied or duplicate
  'no_change',
  'already_received',
  // rejected: the channel signed it, but its content can never apply to this order
  'invalid_json',
  'invalid_content',
  'order_mismatch',
  'unknown_attempt',
  'unknown_refund',
  'amount_mismatch',
  'currency_mismatch',
] as const;
export type ChannelNotificationReason = (typeof CHANNEL_NOTIFICATION_REASONS)[number];

export const ChannelNotificationSchema = z.object({
  object: z.literal('channel_notification'),
  order_id: OrderIdSchema,
  channel: z.string().regex(CHANNEL_ID_PATTERN),
  received_at: z.number().int(),
  /** The channel's own id for the event, where Till could read it. */
  event_id: z.string().nullable(),
  /** The attempt the notification speaks about, where Till could read it and it is this order's. */
  attempt_id: z.string().regex(ATTEMPT_ID).nullable(),
  outcome: z.enum(CHANNEL_NOTIFICATION_OUTCOMES),
  reason_code: z.enum(CHANNEL_NOTIFICATION_REASONS).nullable(),
  /** A short reason in words, with no payer data, secret or body. */
  reason: z.string().max(200).nullable(),
});
export type ChannelNotification = z.infer<typeof ChannelNotificationSchema>;

/** Oldest first. */
export const ChannelNotificationListSchema = z.object({
  object: z.literal('list'),
  data: z.array(ChannelNotificationSchema),
});
export type ChannelNotificationList = z.infer<typeof ChannelNotificationListSchema>;
