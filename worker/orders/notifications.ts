/**
 * Applying a channel's verified notification to the order (inside one transaction): any number
 * of times, in any order. A resent notification is recognised by its event id and changes nothing.
 */
import { TillError } from '../../shared/errors.ts';
import { now } from '../base/clock.ts';
import type { ChannelId } from '../channels/registry.ts';
import type { VerifiedNotification } from '../channels/types.ts';
import type { OrderContext } from './order-context.ts';
import { refundOf } from './refunds.ts';
import { recordRefundResult } from './settlement.ts';

/** Records a channel event id; false when it was seen before (a resent notification). */
function firstSight(sql: SqlStorage, eventId: string, attemptId: string): boolean {
  if (sql.exec('SELECT 1 FROM channel_events WHERE event_id = ?', eventId).toArray().length > 0) return false;
  sql.exec(
    'INSERT INTO channel_events (event_id, attempt_id, received_at) VALUES (?, ?, ?)',
    eventId,
    attemptId,
    now(),
  );
  return true;
}

export function applyVerifiedNotification(
  o: OrderContext,
  channelId: ChannelId,
  note: VerifiedNotification,
): { applied: boolean } {
  const row = o.ledger.order();
  const attempt = o.ledger.attempt(note.attemptId);
  // Verified by this channel's adapter: it speaks only for its own attempts.
  if (!attempt || row.id !== note.orderId || attempt.channel !== channelId)
    throw new TillError('order_not_found', 'No such attempt on this order');
  if (note.kind === 'refund') {
    const refund = refundOf(o.sql, note.refundId);
    if (refund.attempt_id !== attempt.id) throw new TillError('refund_not_found', 'No such refund on this attempt');
    if (!firstSight(o.sql, note.eventId, attempt.id)) return { applied: false };
    recordRefundResult(o, refund.id, note.result);
    return { applied: true };
  }
  if (note.amount !== attempt.amount || note.currency !== attempt.currency) {
    // Not ours to apply as it stands; the channel retries and reconciliation will query.
    throw new TillError('invalid_parameter', 'notification amount does not match the attempt', 'amount');
  }
  if (!firstSight(o.sql, note.eventId, attempt.id) || note.outcome === null) return { applied: false };
  const applied = o.ledger.applyOutcome(note.attemptId, note.outcome);
  o.ledger.closeIfOrderClosed(note.attemptId);
  return { applied };
}
