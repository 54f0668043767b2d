/**
 * A channel's notification about this order: verified by the channel's adapter with the
 * merchant's credentials (outside any transaction), then applied in one transaction, any number
 * of times, in any order. Every verified notification is logged (notification-log.ts) with what
 * became of it:
 *
 * - `applied`: taken into account; a resend of the same event is a `duplicate` and changes nothing.
 * - `rejected`: correctly signed, but its content can never apply (another amount, currency or
 *   order, an attempt or refund this order does not have, content the channel never sends). The
 *   channel is told to stop (a resend would say the same), nothing changes, and the operator
 *   sees why in the log and in a warning.
 *
 * A bad signature is the sender's problem (401, not logged: anyone can post to the URL), and a
 * failure on Till's side (the merchant object or storage) is thrown or answered as a failure, so
 * the channel sends the notification again.
 */
import { TillError } from '../../shared/errors.ts';
import { formatMoney } from '../../shared/money.ts';
import type { ChannelNotificationOutcome, ChannelNotificationReason } from '../../shared/schemas.ts';
import { now } from '../base/clock.ts';
import { failed, type Result } from '../base/result.ts';
import { type ChannelId, channelOf } from '../channels/registry.ts';
import type { DisputeNotification, PaymentNotification, VerifiedNotification } from '../channels/types.ts';
import { amountTaken } from './attempts-table.ts';
import { channelContext } from './channel-scope.ts';
import { recordDispute } from './disputes.ts';
import type { NotificationEntry } from './notification-log.ts';
import { channelScope, type OrderContext } from './order-context.ts';
import type { AttemptRow, OrderRow } from './order-store.ts';
import { findRefund, findRefundByChannelRef } from './refunds.ts';
import { recordRefundResult } from './settlement.ts';

/** A notification as the route received it (headers as pairs: RPC carries plain data). */
export interface NotificationDelivery {
  body: string;
  headers: [string, string][];
  /** The worker's public origin. */
  origin: string;
}

/** What became of a notification Till could verify. */
export interface NotificationReceipt {
  outcome: ChannelNotificationOutcome;
  reasonCode: ChannelNotificationReason | null;
}

type Rejection = { code: ChannelNotificationReason; reason: string };
type Taken = Extract<ChannelNotificationReason, 'no_change' | 'already_received'> | null;

/** Content errors an adapter throws for a notification whose signature it verified, by the field they name. */
const BY_PARAM: Record<string, ChannelNotificationReason> = {
  order_id: 'order_mismatch',
  amount: 'amount_mismatch',
  currency: 'currency_mismatch',
};

/** A verified notification that can never apply, or null for anything else (a failure of ours: retried). */
function rejectionOf(error: TillError): Rejection | null {
  if (error.code === 'invalid_json') return { code: 'invalid_json', reason: error.message };
  if (error.code !== 'invalid_parameter' && error.code !== 'unknown_parameter') return null;
  return { code: (error.param && BY_PARAM[error.param]) || 'invalid_content', reason: error.message };
}

const UNKNOWN_ATTEMPT: Rejection = { code: 'unknown_attempt', reason: 'This order has no such attempt' };

/** Why a verified notification cannot apply to this order, or null when it can. */
function mismatchOf(o: OrderContext, channelId: ChannelId, note: VerifiedNotification): Rejection | null {
  if (note.orderId !== o.ledger.order().id)
    return { code: 'order_mismatch', reason: 'The notification is about another order' };
  const attempt = ownAttempt(o, channelId, note);
  if (!attempt) return { code: 'unknown_attempt', reason: `This order has no ${channelId} attempt of that id` };
  if (note.kind === 'refund') {
    if (note.refundId !== null && findRefund(o.sql, note.refundId)?.attempt_id === attempt.id) return null;
    return { code: 'unknown_refund', reason: 'The attempt has no refund of that id' };
  }
  if (note.kind === 'dispute') return disputeMismatch(note, attempt);
  if (note.currency !== attempt.currency)
    return { code: 'currency_mismatch', reason: `In ${note.currency}, the attempt is in ${attempt.currency}` };
  if (note.amount === attempt.amount || isPartialCapture(note, attempt, o.ledger.order())) return null;
  const [said, owed] = [formatMoney(note.amount, note.currency), formatMoney(attempt.amount, attempt.currency)];
  return { code: 'amount_mismatch', reason: `Says ${said}, the attempt is for ${owed}` };
}

/**
 * A capture's notice names what it took, the figure its outcome carries: part of the authorization
 * (while the attempt holds it, or after Till gave it up with the capture's answer lost), or what the
 * attempt is known to have taken once the capture's answer came first.
 */
const isPartialCapture = (note: PaymentNotification, attempt: AttemptRow, order: OrderRow): boolean =>
  order.capture_method === 'manual' &&
  note.outcome?.status === 'succeeded' &&
  note.outcome.amount === note.amount &&
  (attempt.status === 'succeeded'
    ? note.amount === attempt.amount_captured
    : note.amount > 0 && note.amount < attempt.amount);

/** Only money an attempt took can be disputed, and no more of it than it took. */
function disputeMismatch(note: DisputeNotification, attempt: AttemptRow): Rejection | null {
  if (attempt.status !== 'succeeded')
    return { code: 'unknown_attempt', reason: `The disputed attempt took no money (it is ${attempt.status})` };
  const { amount, currency } = note.dispute;
  if (currency !== attempt.currency)
    return { code: 'currency_mismatch', reason: `In ${currency}, the attempt is in ${attempt.currency}` };
  if (amount > 0 && amount <= amountTaken(attempt)) return null;
  const [said, took] = [formatMoney(amount, currency), formatMoney(amountTaken(attempt), attempt.currency)];
  return { code: 'amount_mismatch', reason: `Disputes ${said}, the attempt took ${took}` };
}

/** The attempt a notification names, if it is this order's and this channel's (the adapter speaks only for its own). */
const ownAttempt = (o: OrderContext, channelId: ChannelId, note: VerifiedNotification) => {
  const attempt = note.attemptId === null ? undefined : o.ledger.attempt(note.attemptId);
  return attempt?.channel === channelId ? attempt : undefined;
};

/**
 * What a notice names only by the channel's own reference, found in Till's records: a refund by the
 * reference its call was answered with, a disputed payment by the attempt's channel reference.
 */
function resolved(o: OrderContext, channelId: ChannelId, note: VerifiedNotification): VerifiedNotification {
  if (note.kind === 'refund' && note.refundId === null && note.result.channelRef) {
    return { ...note, refundId: findRefundByChannelRef(o.sql, note.attemptId, note.result.channelRef)?.id ?? null };
  }
  if (note.kind === 'dispute' && note.attemptId === null) {
    return { ...note, attemptId: o.ledger.attempts.findByChannelRef(channelId, note.paymentRef)?.id ?? null };
  }
  return note;
}

/** Records a dispute's news and tells the merchant; true when it changed anything. */
function applyDispute(o: OrderContext, attempt: AttemptRow, note: DisputeNotification): boolean {
  const recorded = recordDispute(o.sql, attempt, note.dispute);
  if (recorded) o.ledger.appendEvent(recorded.change, { dispute: recorded.dispute });
  return recorded !== null;
}

/** Applies a verified notification (inside a transaction) and logs what became of it. */
function applyVerifiedNotification(
  o: OrderContext,
  channelId: ChannelId,
  received: VerifiedNotification,
): NotificationReceipt {
  const note = resolved(o, channelId, received);
  const at = now();
  const attempt = ownAttempt(o, channelId, note);
  const entry = { receivedAt: at, channel: channelId, eventId: note.eventId, attemptId: attempt?.id ?? null };
  const rejection = mismatchOf(o, channelId, note);
  if (rejection || !attempt) return reject(o, entry, rejection ?? UNKNOWN_ATTEMPT);
  const taken = (outcome: ChannelNotificationOutcome, reasonCode: Taken, reason: string | null) => {
    o.notifications.record({ ...entry, outcome, reasonCode, reason });
    return { outcome, reasonCode };
  };
  if (o.notifications.seen(note.eventId)) return taken('duplicate', 'already_received', 'Received before');
  o.notifications.remember(note.eventId, attempt.id, at);
  // A state that is no news (the payer has not paid yet), or that the order already knows, changes nothing.
  const changed =
    note.kind === 'refund'
      ? note.refundId !== null && recordRefundResult(o, note.refundId, note.result)
      : note.kind === 'dispute'
        ? applyDispute(o, attempt, note)
        : note.outcome !== null && o.ledger.applyOutcome(attempt.id, note.outcome);
  if (note.kind === 'payment' && note.outcome !== null) o.ledger.closeIfOrderClosed(attempt.id);
  if (note.kind === 'payment' && note.channelRef) o.ledger.attempts.adoptChannelRef(attempt.id, note.channelRef);
  return changed ? taken('applied', null, null) : taken('applied', 'no_change', 'Nothing new for the order');
}

/** Logs a verified notification that can never apply (inside a transaction) and warns the operator. */
function reject(
  o: OrderContext,
  entry: Omit<NotificationEntry, 'outcome' | 'reasonCode' | 'reason'>,
  rejection: Rejection,
): NotificationReceipt {
  o.notifications.record({ ...entry, outcome: 'rejected', reasonCode: rejection.code, reason: rejection.reason });
  // Never the body or a header: the ids, and the adapter's words (written to be logged).
  console.warn('channel notification rejected', {
    order: o.ledger.order().id,
    channel: entry.channel,
    event_id: entry.eventId,
    attempt_id: entry.attemptId,
    reason_code: rejection.code,
    reason: rejection.reason,
  });
  return { outcome: 'rejected', reasonCode: rejection.code };
}

/**
 * Verifies a notification with the merchant's credentials for the order's mode, and applies it.
 * Answers `invalid_signature` for a signature that fails, `order_not_found` when there is no
 * order here; throws or answers anything else for a failure of ours, which the channel retries.
 */
export async function receiveNotification(
  o: OrderContext,
  channelId: ChannelId,
  delivery: NotificationDelivery,
): Promise<Result<NotificationReceipt>> {
  const row = o.ledger.findOrder();
  if (!row) return failed('order_not_found', 'No such order');
  let note: VerifiedNotification;
  try {
    const ctx = await channelContext(channelScope(o), channelId, delivery.origin);
    note = await channelOf(channelId).parseNotification(ctx, {
      orderId: row.id,
      body: delivery.body,
      headers: new Headers(delivery.headers),
    });
  } catch (error) {
    if (!(error instanceof TillError)) throw error;
    const rejection = error.code === 'invalid_signature' ? null : rejectionOf(error);
    if (!rejection) return failed(error.code, error.message, error.param);
    const entry = { receivedAt: now(), channel: channelId, eventId: null, attemptId: null };
    return { ok: true, value: o.transaction(() => reject(o, entry, rejection)) };
  }
  return { ok: true, value: o.transaction(() => applyVerifiedNotification(o, channelId, note)) };
}
