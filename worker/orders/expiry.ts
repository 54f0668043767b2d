/**
 * When an order stops waiting: the merchant cancels it, an unpaid order expires at `expires_at`
 * (its attempts closed at their channels), and an authorization nobody captured or voided is
 * released after 7 days.
 */
import { TillError } from '../../shared/errors.ts';
import { acceptsAttempts, canTransition } from '../../shared/order-model.ts';
import { now } from '../base/clock.ts';
import type { OrderContext } from './order-context.ts';
import type { OrderRow } from './order-store.ts';
import { AUTHORIZATION_VALID_SECONDS } from './reconciliation.ts';
import { captureInFlight, captureLostAt, releaseAuthorization } from './settlement.ts';

/** A channel call still in flight holds expiry back this long at most. */
const EXPIRY_GRACE_SECONDS = 600;
/** How soon to look again at an order whose expiry waits for a channel call. */
const EXPIRY_RECHECK_SECONDS = 30;

/** When the order should next be looked at for expiry (or release), or null if it cannot expire. */
export function expiryCheckAt(o: OrderContext, row: OrderRow): number | null {
  if (row.status === 'authorized') {
    // Never released under a capture in flight: looked at again once that capture is lost.
    const lapses = (row.authorized_at ?? now()) + AUTHORIZATION_VALID_SECONDS;
    return captureInFlight(row) ? Math.max(lapses, captureLostAt(row) ?? 0) : lapses;
  }
  if (!canTransition(row.status, 'expired')) return null;
  const at = now();
  if (row.expires_at > at) return row.expires_at;
  // A channel call in flight may still take money: give it a little time before closing.
  const waiting = o.ledger.inFlightAttempts().length > 0 && at < row.expires_at + EXPIRY_GRACE_SECONDS;
  return waiting ? at + EXPIRY_RECHECK_SECONDS : at;
}

/** Expires the order, or releases its authorization (inside a transaction, once due). */
export function expireOrRelease(o: OrderContext): void {
  const current = o.ledger.order();
  // An authorization left too long is released, as the card network would.
  if (current.status === 'authorized') {
    if (!captureInFlight(current)) releaseAuthorization(o);
    return;
  }
  if (!canTransition(current.status, 'expired')) return;
  o.ledger.cancelLiveAttempts();
  o.ledger.setOrderStatus(o.ledger.order(), 'expired');
}

/** The merchant's cancel (inside a transaction): canceling twice changes nothing. */
export function cancelOrder(o: OrderContext, row: OrderRow): void {
  if (row.status === 'canceled') return;
  if (row.status === 'authorized') {
    throw new TillError(
      'order_not_cancelable',
      'This order holds an authorization: void it (POST /v1/orders/:id/void) or capture it',
    );
  }
  if (!acceptsAttempts(row.status) || !canTransition(row.status, 'canceled')) {
    throw new TillError('order_not_cancelable', `An order that is ${row.status} cannot be canceled`);
  }
  // Close the attempts first, so the order.canceled event shows none still live.
  o.ledger.cancelLiveAttempts();
  o.ledger.setOrderStatus(o.ledger.order(), 'canceled', { canceled_at: now() });
}
