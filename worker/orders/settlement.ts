/**
 * What happens to an order's money after the shopper paid: capturing or voiding an
 * authorization, and making refunds at the channel. Decisions are synchronous (called inside the
 * order object's transactions); channel calls happen between them.
 */
import { TillError } from '../../shared/errors.ts';
import { formatMoney } from '../../shared/money.ts';
import { now } from '../base/clock.ts';
import { failed, type Result } from '../base/result.ts';
import type { ChannelOutcome, RefundResult } from '../channels/types.ts';
import { refundTrade } from './channel-calls.ts';
import { channelScope, type OrderContext } from './order-context.ts';
import type { AttemptRow, OrderRow } from './order-store.ts';
import { queryAgainSoon } from './reconciliation.ts';
import { applyRefundResult, claimRefundCall, dueRefunds, refuseUnmovableAmount } from './refunds.ts';

/** A capture call unanswered this long was lost; another may start. */
const CAPTURE_CALL_SECONDS = 120;

export const captureInFlight = (row: OrderRow): boolean =>
  row.capture_started_at !== null && row.capture_started_at + CAPTURE_CALL_SECONDS > now();

/** When a capture in flight is given up as lost. */
export const captureLostAt = (row: OrderRow): number | null =>
  row.capture_started_at === null ? null : row.capture_started_at + CAPTURE_CALL_SECONDS;

export interface CaptureClaim {
  attempt: AttemptRow;
  /** What to capture: all of the authorization, or part of it. */
  amount: number;
  startedAt: number;
}

/**
 * Marks a capture of `requested` (all of the authorization when left out) as started and answers the
 * authorized attempt to capture; a void (the merchant's or the 7-day release) or a second capture
 * waits meanwhile. Should the object restart during the call, reconciliation asks the channel whether
 * the capture happened, and how much it took.
 */
export function claimCapture(o: OrderContext, row: OrderRow, requested?: number): CaptureClaim {
  const attempt = o.ledger.attempts.authorized();
  if (row.status !== 'authorized' || !attempt) {
    const why = row.capture_method === 'automatic' ? 'it uses automatic capture' : `it is ${row.status}`;
    throw new TillError('order_not_capturable', `This order has no authorization to capture: ${why}`);
  }
  const amount = requested ?? attempt.amount;
  if (amount > attempt.amount) {
    throw new TillError(
      'capture_exceeds_authorization',
      `amount is more than the ${formatMoney(attempt.amount, attempt.currency)} authorized`,
      'amount',
    );
  }
  if (captureInFlight(row)) throw new TillError('capture_in_progress', 'A capture of this order is already in flight');
  if (row.capture_amount !== null && row.capture_amount !== amount) {
    const asked = formatMoney(row.capture_amount, attempt.currency);
    throw new TillError(
      'capture_in_progress',
      `An earlier capture of ${asked} went unanswered and may have been taken: capture ${asked} again, ` +
        'or wait until the processor says what happened',
      'amount',
    );
  }
  refuseUnmovableAmount(attempt, amount);
  const startedAt = now();
  o.ledger.orders.claimCapture(startedAt, amount);
  // Asked once the capture call counts as lost, not before: an `authorized` answer meanwhile
  // would end the questions while the capture may still land.
  o.ledger.attempts.queryAt(attempt.id, startedAt + CAPTURE_CALL_SECONDS);
  return { attempt, amount, startedAt };
}

/**
 * Applies the channel's answer to a capture (null: no answer). Answers the failure rather than
 * throwing it, since a throw would roll back what this transaction must keep.
 */
export function applyCapture(
  o: OrderContext,
  { attempt, startedAt }: CaptureClaim,
  outcome: ChannelOutcome | null,
): Result<void> {
  // Only this capture's own claim: a later capture may hold the order by now.
  o.ledger.orders.releaseCapture(startedAt);
  // No answer: the capture may have happened; reconciliation asks the channel.
  if (outcome) o.ledger.applyOutcome(attempt.id, outcome);
  else queryAgainSoon(o.ledger.attempts, attempt.id);
  if (o.ledger.order().status === 'paid') return { ok: true, value: undefined };
  if (!outcome) return failed('channel_error', 'The payment channel did not answer the capture; try again');
  if (outcome.status === 'failed') o.ledger.orders.forgetCaptureAmount();
  const why = outcome.status === 'failed' ? outcome.failure.message : `the channel answered ${outcome.status}`;
  return failed('capture_failed', `The authorization could not be captured: ${why}`);
}

/** The merchant's void: refused while a capture is in flight; voiding twice changes nothing. */
export function voidOrder(o: OrderContext, row: OrderRow): void {
  if (row.status === 'voided') return;
  if (row.status !== 'authorized')
    throw new TillError('order_not_voidable', `An order that is ${row.status} holds no authorization to void`);
  if (captureInFlight(row))
    throw new TillError('capture_in_progress', 'A capture of this order is in flight; it cannot be voided now');
  releaseAuthorization(o);
}

/** Voids the order; its attempt is closed at the channel (the authorization released) after the transaction. */
export function releaseAuthorization(o: OrderContext): void {
  o.ledger.cancelLiveAttempts();
  o.ledger.setOrderStatus(o.ledger.order(), 'voided', { canceled_at: now() });
}

/** Makes the channel calls of due pending refunds and applies their answers. */
export async function processRefunds(o: OrderContext): Promise<void> {
  for (const due of dueRefunds(o.sql)) {
    if (!o.transaction(() => claimRefundCall(o.sql, due))) continue;
    const attempt = o.ledger.attempt(due.attempt_id);
    const result = attempt ? await refundTrade(channelScope(o), attempt, due) : null;
    if (!result) continue;
    o.transaction(() => recordRefundResult(o, due.id, result));
  }
}

/**
 * Applies a channel's word on a refund, from its answer or its notification (inside a transaction);
 * true when it changed.
 */
export function recordRefundResult(o: OrderContext, refundId: string, result: RefundResult): boolean {
  const changed = applyRefundResult(o.sql, refundId, result);
  if (changed && changed.status !== 'pending')
    o.ledger.appendEvent(changed.status === 'succeeded' ? 'refund.succeeded' : 'refund.failed', { refund: changed });
  return changed !== null;
}
