/**
 * The one interface every payment channel implements. A channel is a folder under
 * worker/channels/ plus one line in registry.ts.
 */
import type { z } from 'zod';
import type { Currency } from '../../shared/money.ts';
import type { Failure, Mode, NextAction, PaymentMethod, ShopperContext } from '../../shared/schemas.ts';
import type { Env } from '../env.ts';

export interface ChannelContext {
  env: Env;
  /** Public origin of this worker, for URLs the shopper or the channel will call back. */
  origin: string;
}

export interface OrderFacts {
  orderId: string;
  merchantId: string;
  mode: Mode;
  amount: number;
  currency: Currency;
  description: string;
  expiresAt: number;
}

export interface StartRequest extends OrderFacts {
  attemptId: string;
  returnUrl: string | undefined;
}

/** What a channel says about one attempt. */
export type ChannelOutcome =
  | { status: 'requires_action'; nextAction: NextAction }
  | { status: 'processing' }
  | { status: 'authorized' }
  | { status: 'succeeded' }
  | { status: 'failed'; failure: Failure }
  | { status: 'canceled' };

export interface StartResult {
  outcome: ChannelOutcome;
  /** The channel's own reference for the trade, kept for query, refund and cancel. */
  channelRef: string;
  instrument?: { brand: string; last4: string };
}

/** A notification whose signature the channel adapter has verified. */
export interface VerifiedNotification {
  orderId: string;
  attemptId: string;
  /** Unique per channel event, so a resent notification is recognised. */
  eventId: string;
  amount: number;
  currency: Currency;
  outcome: ChannelOutcome;
}

export interface RefundResult {
  status: 'succeeded' | 'pending' | 'failed';
  channelRef: string;
}

export interface Channel<Input = unknown> {
  id: string;
  /** Methods this channel offers for an order in a shopper context (empty when none fits). */
  methods(order: Pick<OrderFacts, 'amount' | 'currency' | 'mode'>, context: ShopperContext): PaymentMethod[];
  /** Schema of the merchant's credentials for this channel (stored sealed), or null if it takes none. */
  credentials: z.ZodType<Record<string, unknown>> | null;
  /** Schema of the channel-specific body of `POST /v1/checkout/:id/attempts`. */
  input: z.ZodType<Input>;
  start(ctx: ChannelContext, request: StartRequest, input: Input): Promise<StartResult>;
  /** Verifies the channel's signature on a notification and reads it; throws TillError otherwise. */
  parseNotification(ctx: ChannelContext, request: Request): Promise<VerifiedNotification>;
  /** The answer the channel expects once a notification is applied (or could not be). */
  acknowledge(applied: boolean): Response;
  query(ctx: ChannelContext, channelRef: string): Promise<ChannelOutcome>;
  refund(ctx: ChannelContext, channelRef: string, amount: number, refundId: string): Promise<RefundResult>;
  cancel(ctx: ChannelContext, channelRef: string): Promise<void>;
}
