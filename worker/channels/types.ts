/**
 * The one interface every payment channel implements. A channel is a folder under
 * worker/channels/ plus one line in registry.ts.
 */
import type { z } from 'zod';
import type { Currency } from '../../shared/money.ts';
import type { CaptureMethod, DisputeReason, DisputeStatus } from '../../shared/order-model.ts';
import type { Failure, Mode, NextAction, PaymentMethod, ShopperContext } from '../../shared/schemas.ts';
import type { Env } from '../base/env.ts';
import type { CardForCall } from './card/vaulted-card.ts';

export interface ChannelContext<Credentials = unknown> {
  env: Env;
  /** Public origin of this worker, for URLs the shopper or the channel will call back. */
  origin: string;
  /** The order's mode: test talks to the channel's sandbox (or the operator's fake), live to production. */
  mode: Mode;
  /** The merchant's credentials for this channel in this mode, parsed by the channel's schema;
   * null when the channel takes none or none are configured. */
  credentials: Credentials | null;
  /** Where the channel posts notifications about this order (`/v1/channels/<id>/notify/<order>`). */
  notifyUrl: string;
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

/** Who is paying, as far as the channel needs to know (WeChat H5 wants the payer's IP and platform). */
export interface Shopper {
  context: ShopperContext;
  /** The shopper's IP address (CF-Connecting-IP), when known. */
  ip: string | null;
  userAgent: string | null;
}

/** `expiresAt` here is when the trade stops taking money: the order's expiry, or sooner for one attempt. */
export interface StartRequest extends OrderFacts {
  attemptId: string;
  returnUrl: string | undefined;
  shopper: Shopper;
  /** A card attempt's card, vaulted: in memory for this attempt's processor calls only. */
  card?: CardForCall;
}

/** What a channel says about one attempt. */
export type ChannelOutcome =
  | { status: 'requires_action'; nextAction: NextAction }
  | { status: 'processing' }
  | { status: 'authorized' }
  /** `amount`: what the channel took, when it says; less than the attempt's after a partial capture. */
  | { status: 'succeeded'; amount?: number }
  | { status: 'failed'; failure: Failure }
  | { status: 'canceled' };

export interface StartResult {
  outcome: ChannelOutcome;
  /** The channel's own reference for the trade, kept for query, refund and cancel. */
  channelRef: string;
  instrument?: { brand: string; last4: string };
}

/**
 * Which trade to ask about: Till's attempt id (the channel's out-trade number) and the channel's
 * own reference, if known.
 */
export interface TradeRef {
  attemptId: string;
  channelRef: string | null;
  /** What the trade was opened for (some channels want the total with every refund). */
  amount: number;
  currency: Currency;
}

/** A notification as it arrived: the raw body (signatures cover these exact bytes) and headers. */
export interface RawNotification {
  /** From the notify URL's path; a notification's content must name an attempt of this order. */
  orderId: string;
  body: string;
  headers: Headers;
}

/** A notification whose signature the channel adapter has verified: a payment's or a refund's news. */
export type VerifiedNotification = PaymentNotification | RefundNotification | DisputeNotification;

export interface PaymentNotification {
  kind: 'payment';
  orderId: string;
  attemptId: string;
  /** Unique per channel event, so a resent notification is recognised. */
  eventId: string;
  amount: number;
  currency: Currency;
  /** null: the channel reports nothing Till acts on (Alipay's WAIT_BUYER_PAY once a code is scanned). */
  outcome: ChannelOutcome | null;
  /** The channel's reference for the payment, when the notice names it: kept for an attempt whose
   * start answer was lost, so later news naming only that reference (a dispute) still finds it. */
  channelRef?: string;
}

export interface RefundNotification {
  kind: 'refund';
  orderId: string;
  attemptId: string;
  /** Till's refund id (the channel's out-request / out-refund number); null when the channel names the
   * refund only by its own reference (`result.channelRef`), which Till kept from its refund call. */
  refundId: string | null;
  eventId: string;
  result: RefundResult;
}

/** A shopper's dispute of a payment, or news of one, as the processor reports it. */
export interface DisputeNotification {
  kind: 'dispute';
  orderId: string;
  /** The disputed attempt, when the processor names it; otherwise found by `paymentRef`. */
  attemptId: string | null;
  /** The processor's reference for the disputed payment (the attempt's channel reference). */
  paymentRef: string;
  eventId: string;
  dispute: DisputeFacts;
}

export interface DisputeFacts {
  /** The processor's own id for the dispute: news of the same dispute carries the same one. */
  processorDisputeId: string;
  amount: number;
  currency: Currency;
  status: DisputeStatus;
  reason: DisputeReason;
  processorReason: string;
  evidenceDueBy: number | null;
}

export interface RefundResult {
  status: 'succeeded' | 'pending' | 'failed';
  channelRef: string;
  /** Why the channel refused, in words a merchant can act on (no payer data). */
  failure?: Failure;
}

export interface Channel<Input = unknown, Credentials = unknown> {
  id: string;
  /** Methods this channel offers for an order in a shopper context (empty when none fits);
   * with manual capture, only the methods that can authorize without capturing. */
  methods(
    order: Pick<OrderFacts, 'amount' | 'currency' | 'mode'> & { capture_method: CaptureMethod },
    context: ShopperContext,
  ): PaymentMethod[];
  /** Schema of the merchant's credentials for this channel (stored sealed), or null if it takes none. */
  credentials: z.ZodType<Credentials> | null;
  /**
   * What makes well-formed credentials unusable in a mode (a test key saved as live ones), refused
   * when the merchant saves them rather than found on a shopper's payment: the parameter and why.
   */
  credentialsProblem?(credentials: Credentials, mode: Mode, env: Env): { param: string; message: string } | null;
  /**
   * Why the channel cannot move exactly `amount` (its units are not Till's for this currency), or
   * null: checked before a capture or a refund asks for part of a payment.
   */
  amountProblem?(amount: number, currency: Currency): string | null;
  /** Schema of the channel-specific body of `POST /v1/checkout/:id/attempts`. */
  input: z.ZodType<Input>;
  start(ctx: ChannelContext<Credentials>, request: StartRequest, input: Input): Promise<StartResult>;
  /** Verifies the channel's signature on a notification and reads it; throws TillError otherwise
   * (`invalid_signature` for a signature that fails, a probe, or a message for another merchant). */
  parseNotification(ctx: ChannelContext<Credentials>, notification: RawNotification): Promise<VerifiedNotification>;
  /** The answer the channel expects once a notification is applied (or could not be). */
  acknowledge(applied: boolean): Response;
  /** What the channel knows of a trade now; null while it still waits for the payer.
   * Throws TillError('channel_trade_not_found') when the channel never opened the trade. */
  query(ctx: ChannelContext<Credentials>, trade: TradeRef): Promise<ChannelOutcome | null>;
  /** Refunds part of a succeeded trade. Idempotent by `refundId`: calling again with the same id
   * answers the refund's current state and never refunds twice. */
  refund(ctx: ChannelContext<Credentials>, trade: TradeRef, amount: number, refundId: string): Promise<RefundResult>;
  /** Captures `amount` (all or part) of an authorized trade; the rest of the hold is released. Answers
   * `succeeded` with what was taken, or `failed` when the channel refuses. */
  capture(ctx: ChannelContext<Credentials>, trade: TradeRef, amount: number): Promise<ChannelOutcome>;
  /** Closes a trade that has not taken money (or releases an authorization). Idempotent. */
  cancel(ctx: ChannelContext<Credentials>, trade: TradeRef): Promise<void>;
  /**
   * For channels with one webhook endpoint per account rather than a notify URL per trade: the
   * order a notification names, unverified (the order's object has it verified), or null when it
   * names none of Till's orders.
   */
  notificationOrder?(notification: { body: string; headers: Headers }): string | null;
  /**
   * For account-wide events that name only the processor's payment (a Stripe dispute): its
   * reference, found in the index of paid attempts, or null.
   */
  notificationPayment?(notification: { body: string; headers: Headers }): string | null;
  /**
   * The shopper is back from the channel's page (a 3-D Secure challenge) with its parameters:
   * what the channel says of the trade now, asked of the channel itself, never read from the
   * parameters. Without it, Till queries the trade.
   */
  returned?(
    ctx: ChannelContext<Credentials>,
    trade: TradeRef,
    params: Record<string, string>,
  ): Promise<ChannelOutcome | null>;
}
