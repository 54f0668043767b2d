/**
 * When the order's vaulted cards lose their number and expiry: a grace period after the order
 * settles (paid, authorized, canceled, expired), time enough for a retry or a failover to reuse the
 * card; an order still waiting for money keeps them until its expiry plus that grace at the latest.
 */
import { isSettledForShopper } from '../../shared/order-model.ts';
import { now } from '../base/clock.ts';
import { CARD_ERASE_GRACE_SECONDS } from './cards-table.ts';
import type { OrderContext } from './order-context.ts';

/** Unix seconds, or null when no card is sealed. */
export function cardErasureAt(o: OrderContext): number | null {
  const oldest = o.ledger.cards.oldestSealedAt();
  if (oldest === null) return null;
  const order = o.ledger.order();
  if (!isSettledForShopper(order.status)) return Math.max(oldest, order.expires_at) + CARD_ERASE_GRACE_SECONDS;
  const lastChange = o.ledger.latestAttempt()?.updated_at ?? oldest;
  return Math.max(oldest, lastChange) + CARD_ERASE_GRACE_SECONDS;
}

/** Erases the sealed card data once due (inside a transaction). */
export function eraseCardsIfDue(o: OrderContext): void {
  const due = cardErasureAt(o);
  if (due !== null && due <= now()) o.ledger.cards.eraseAll(now());
}
