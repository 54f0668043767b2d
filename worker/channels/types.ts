/**
 * The one interface every payment channel implements. A channel is a folder under
 * worker/channels/ plus one line in registry.ts.
 */
import type { z } from 'zod';
import type { Currency } from '../../shared/money.ts';
import type { CaptureMethod } from '../../shared/order-model.ts';
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
  /** `manual`: the channel only authorizes; Till captures or voids later. */
  captureMethod: CaptureMethod;
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

/** Which trade to ask about: Till's attempt id (the channel's out-trade number) and the channel's own reference, if known. */
export interface TradeRef {
  attemptId: string;
  channelRef: string | null;
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
  /** Methods this channel offers for an order in a shopper context (empty when none fits);
   * with manual capture, only the methods that can authorize without capturing. */
  methods(order: Pick<OrderFacts, 'amount' | 'currency' | 'mode'> & { capture_method: CaptureMethod }, context: ShopperContext): PaymentMethod[];
  /** Schema of the merchant's credentials for this channel (stored sealed), or null if it takes none. */
  credentials: z.ZodType<Record<string, unknown>> | null;
  /** Schema of the channel-specific body of `POST /v1/checkout/:id/attempts`. */
  input: z.ZodType<Input>;
  start(ctx: ChannelContext, request: StartRequest, input: Input): Promise<StartResult>;
  /** Verifies the channel's signature on a notification and reads it; throws TillError otherwise. */
  parseNotification(ctx: ChannelContext, request: Request): Promise<VerifiedNotification>;
  /** The answer the channel expects once a notification is applied (or could not be). */
  acknowledge(applied: boolean): Response;
  /** What the channel knows of a trade now; null while it still waits for the payer.
   * Throws TillError('channel_trade_not_found') when the channel never opened the trade. */
  query(ctx: ChannelContext, trade: TradeRef): Promise<ChannelOutcome | null>;
  /** Refunds part of a succeeded trade. Idempotent by `refundId`: calling again with the same id
   * answers the refund's current state and never refunds twice. */
  refund(ctx: ChannelContext, trade: TradeRef, amount: number, refundId: string): Promise<RefundResult>;
  /** Captures an authorized trade in full; answers `succeeded`, or `failed` when the channel refuses. */
  capture(ctx: ChannelContext, trade: TradeRef, amount: number): Promise<ChannelOutcome>;
  /** Closes a trade that has not taken money (or releases an authorization). Idempotent. */
  cancel(ctx: ChannelContext, trade: TradeRef): Promise<void>;
}
