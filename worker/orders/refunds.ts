/**
 * An order's refunds, decided synchronously inside the order object's transactions; the only
 * code that writes the `refunds` table, each status through REFUND_TRANSITIONS.
 *
 * A refund is reserved (`pending`) in one transaction that checks the refundable amount, so
 * however many requests race, pending plus succeeded refunds never exceed what was paid. The
 * channel is called after that transaction; its answer is applied by another. A call whose
 * answer is lost is simply made again: channels refund idempotently by Till's refund id.
 */
import { TillError } from '../../shared/errors.ts';
import { formatMoney } from '../../shared/money.ts';
import { REFUND_TRANSITIONS, type RefundReason } from '../../shared/order-model.ts';
import type { CreateRefundRequest, Failure } from '../../shared/schemas.ts';
import { now } from '../base/clock.ts';
import { newRefundId } from '../base/ids.ts';
import { channelOf, isChannelId } from '../channels/registry.ts';
import { amountTaken } from './attempts-table.ts';
import type { AttemptRow, OrderRow, RefundRow } from './order-store.ts';

/** Seconds before a pending refund's channel call is made again, after the n-th call; then daily. */
export const REFUND_CALL_RETRY_SECONDS = [30, 120, 600, 1800, 3600, 6 * 3600] as const;
const REFUND_CALL_RETRY_AFTER_SCHEDULE = 24 * 3600;

export interface RefundInput {
  id: string;
  request: CreateRefundRequest;
  requestHash: string;
}

export const findRefund = (sql: SqlStorage, id: string): RefundRow | undefined =>
  sql.exec<RefundRow>('SELECT * FROM refunds WHERE id = ?', id).toArray()[0];

/** The attempt's refund the channel answered under `channelRef` (its own reference for it). */
export const findRefundByChannelRef = (sql: SqlStorage, attemptId: string, channelRef: string): RefundRow | undefined =>
  sql
    .exec<RefundRow>('SELECT * FROM refunds WHERE attempt_id = ? AND channel_ref = ?', attemptId, channelRef)
    .toArray()[0];

/** The order's refunds, oldest first. */
export const allRefunds = (sql: SqlStorage): RefundRow[] =>
  sql.exec<RefundRow>('SELECT * FROM refunds ORDER BY seq').toArray();

/** Money of an attempt already gone back or on its way back. */
function reservedFor(sql: SqlStorage, attemptId: string): number {
  const row = sql
    .exec<{ reserved: number | null }>(
      "SELECT SUM(amount) AS reserved FROM refunds WHERE attempt_id = ? AND status IN ('pending', 'succeeded')",
      attemptId,
    )
    .toArray()[0];
  return row?.reserved ?? 0;
}

interface NewRefund {
  id: string;
  attempt_id: string;
  amount: number;
  currency: string;
  reason: RefundReason | null;
  automatic: 0 | 1;
  metadata: string;
  request_hash: string | null;
}

function insert(sql: SqlStorage, refund: NewRefund): RefundRow {
  const at = now();
  sql.exec(
    `INSERT INTO refunds (id, attempt_id, amount, currency, status, reason, automatic, metadata, request_hash,
       created_at, updated_at, next_call_at)
     VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)`,
    refund.id,
    refund.attempt_id,
    refund.amount,
    refund.currency,
    refund.reason,
    refund.automatic,
    refund.metadata,
    refund.request_hash,
    at,
    at,
    at,
  );
  return findRefund(sql, refund.id) as RefundRow;
}

/** Refuses, naming `amount`, a part of a payment its channel cannot move exactly (IDR cents at Adyen). */
export function refuseUnmovableAmount(attempt: AttemptRow, amount: number): void {
  const problem = isChannelId(attempt.channel)
    ? channelOf(attempt.channel).amountProblem?.(amount, attempt.currency)
    : null;
  if (problem) throw new TillError('invalid_parameter', `Invalid amount: ${problem}`, 'amount');
}

/** The attempt a merchant's refund takes money back from: the paid one, or one that must give its money back. */
function refundableAttempt(sql: SqlStorage, order: OrderRow, attemptId: string | undefined): AttemptRow {
  if (attemptId === undefined) {
    const paid = order.paid_attempt_id
      ? sql.exec<AttemptRow>('SELECT * FROM attempts WHERE id = ?', order.paid_attempt_id).toArray()[0]
      : undefined;
    if (!paid) throw new TillError('order_not_refundable', `An order that is ${order.status} has no payment to refund`);
    return paid;
  }
  const attempt = sql.exec<AttemptRow>('SELECT * FROM attempts WHERE id = ?', attemptId).toArray()[0];
  if (!attempt) throw new TillError('invalid_parameter', 'No such attempt on this order', 'attempt_id');
  if (attempt.id !== order.paid_attempt_id && attempt.needs_refund !== 1) {
    throw new TillError(
      'order_not_refundable',
      `Attempt ${attempt.id} holds no money to refund (it is ${attempt.status})`,
    );
  }
  return attempt;
}

/**
 * Reserves a merchant's refund of the paid attempt (or of one that took money twice). Returns the
 * refund and whether it is new; a refund id seen before (a retried Idempotency-Key) answers the
 * refund it made.
 */
export function reserveRefund(
  sql: SqlStorage,
  order: OrderRow,
  input: RefundInput,
): { refund: RefundRow; created: boolean } {
  const existing = findRefund(sql, input.id);
  if (existing) {
    if (existing.request_hash !== input.requestHash) {
      throw new TillError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request body',
      );
    }
    return { refund: existing, created: false };
  }
  const attempt = refundableAttempt(sql, order, input.request.attempt_id);
  const taken = amountTaken(attempt);
  const remaining = taken - reservedFor(sql, attempt.id);
  if (remaining <= 0)
    throw new TillError('order_not_refundable', 'This payment is already refunded in full (counting pending refunds)');
  const amount = input.request.amount ?? remaining;
  refuseUnmovableAmount(attempt, amount);
  if (amount > remaining) {
    throw new TillError(
      'refund_exceeds_payment',
      `amount is more than the ${formatMoney(remaining, order.currency)} left to refund ` +
        `(paid ${formatMoney(taken, order.currency)}, counting pending refunds)`,
      'amount',
    );
  }
  const refund = insert(sql, {
    id: input.id,
    attempt_id: attempt.id,
    amount,
    currency: order.currency,
    reason: input.request.reason ?? null,
    automatic: 0,
    metadata: JSON.stringify(input.request.metadata ?? {}),
    request_hash: input.requestHash,
  });
  return { refund, created: true };
}

/** Refunds in full an attempt that took money it cannot keep; at most once per attempt. */
export function addAutomaticRefund(
  sql: SqlStorage,
  attempt: AttemptRow,
  reason: Extract<RefundReason, 'duplicate_payment' | 'order_closed'>,
): RefundRow | null {
  const already =
    sql.exec('SELECT 1 FROM refunds WHERE attempt_id = ? AND automatic = 1', attempt.id).toArray().length > 0;
  if (already) return null;
  return insert(sql, {
    id: newRefundId(),
    attempt_id: attempt.id,
    amount: amountTaken(attempt) - reservedFor(sql, attempt.id),
    currency: attempt.currency,
    reason,
    automatic: 1,
    metadata: '{}',
    request_hash: null,
  });
}

/** Pending refunds whose channel call is due (never made, or to be made again). */
export function dueRefunds(sql: SqlStorage, at = now()): RefundRow[] {
  return sql
    .exec<RefundRow>("SELECT * FROM refunds WHERE status = 'pending' AND next_call_at <= ? ORDER BY seq", at)
    .toArray();
}

export function nextRefundCallAt(sql: SqlStorage): number | null {
  const row = sql
    .exec<{ at: number | null }>("SELECT MIN(next_call_at) AS at FROM refunds WHERE status = 'pending'")
    .toArray()[0];
  return row?.at ?? null;
}

/**
 * Claims a due refund's call: the next call time moves on first, so a concurrent run skips it and a
 * lost answer is asked again.
 */
export function claimRefundCall(sql: SqlStorage, refund: RefundRow): boolean {
  const delay = REFUND_CALL_RETRY_SECONDS[refund.calls] ?? REFUND_CALL_RETRY_AFTER_SCHEDULE;
  const claimed = sql.exec(
    "UPDATE refunds SET calls = calls + 1, next_call_at = ? WHERE id = ? AND status = 'pending' AND calls = ?",
    now() + delay,
    refund.id,
    refund.calls,
  ).rowsWritten;
  return claimed > 0;
}

/** Applies the channel's answer; a stale or repeated answer changes nothing and returns null. */
export function applyRefundResult(
  sql: SqlStorage,
  refundId: string,
  result: { status: 'succeeded' | 'pending' | 'failed'; channelRef?: string; failure?: Failure },
): RefundRow | null {
  const refund = findRefund(sql, refundId);
  if (!refund) return null;
  if (result.channelRef) sql.exec('UPDATE refunds SET channel_ref = ? WHERE id = ?', result.channelRef, refundId);
  if (result.status === 'pending' || !REFUND_TRANSITIONS[refund.status].includes(result.status)) return null;
  const failure =
    result.status === 'failed'
      ? JSON.stringify(
          result.failure ?? { code: 'refund_declined', message: 'The payment method declined the refund.' },
        )
      : null;
  sql.exec(
    'UPDATE refunds SET status = ?, failure = ?, updated_at = ?, next_call_at = NULL WHERE id = ?',
    result.status,
    failure,
    now(),
    refundId,
  );
  return findRefund(sql, refundId) ?? null;
}

export function refundOf(sql: SqlStorage, id: string): RefundRow {
  const refund = findRefund(sql, id);
  if (!refund) throw new TillError('refund_not_found', 'No such refund on this order', 'id');
  return refund;
}
