/**
 * The events a new order summary means for the host page, given the one before it. Pure, so
 * each event is sent exactly once per real change however often the frame polls.
 */
import type { CheckoutSummary } from '../../shared/schemas.ts';
import type { CheckoutEvent } from '../protocol/messages.ts';
import { failureOf, isAwaitingOutcome } from './order-screen.ts';

/**
 * `fresh`: the summary answers something the shopper just did here (an attempt, or the return
 * from a challenge page), so a failure in it is news even without a status change. `locale`:
 * the language shown, which `ready` reports.
 */
export function eventsFor(
  previous: CheckoutSummary | null,
  next: CheckoutSummary,
  fresh: boolean,
  locale: string,
): CheckoutEvent[] {
  const events: CheckoutEvent[] = [];
  const { order, attempt } = next;
  if (!previous) events.push({ type: 'ready', payload: { order_id: order.id, locale } });

  if (order.status !== previous?.order.status) {
    if (order.status === 'paid') events.push({ type: 'paid', payload: { order_id: order.id, receipt: next.receipt } });
    if (order.status === 'authorized') events.push({ type: 'authorized', payload: { order_id: order.id } });
    if (order.status === 'expired' || order.status === 'canceled') events.push({ type: order.status });
    if (order.status === 'voided') events.push({ type: 'canceled' });
  }

  const failure = failureOf(next);
  const declined =
    (order.status === 'open' && (fresh || isAwaitingOutcome(previous))) ||
    (order.status === 'failed' && previous?.order.status !== 'failed');
  if (failure && declined) events.push({ type: 'failed', payload: { code: failure.code, message: failure.message } });

  const action = attempt?.next_action;
  const actionIsNew = attempt?.id !== previous?.attempt?.id || previous?.attempt?.status !== 'requires_action';
  if (attempt?.status === 'requires_action' && action && action.type !== 'none' && actionIsNew) {
    events.push({ type: 'requires_action', payload: { type: action.type } });
  }
  return events;
}
