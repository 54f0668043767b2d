/**
 * When to ask a channel about an attempt whose outcome Till has not heard: a notification may
 * never come (lost, or the channel doesn't send one), and an attempt Till canceled may still
 * have taken money at the channel until the channel confirms it closed.
 */
import type { AttemptStatus } from '../../shared/order-model.ts';
import { now } from '../base/clock.ts';
import type { ChannelOutcome } from '../channels/types.ts';
import type { AttemptsTable } from './attempts-table.ts';
import { closeTrade, queryTrade } from './channel-calls.ts';
import { channelScope, type OrderContext } from './order-context.ts';
import type { AttemptRow, OrderRow } from './order-store.ts';

/** The first question comes a minute after the attempt began. */
export const QUERY_FIRST_AFTER_SECONDS = 60;
/** Gaps after the n-th question: asked at about 1 min, 5 min, 15 min, 1 h, 4 h, then every 6 h. */
export const QUERY_GAPS_SECONDS = [240, 600, 2700, 3 * 3600] as const;
const QUERY_GAP_AFTER_SCHEDULE = 6 * 3600;
/** Channels keep an unpaid trade open a while past Till's expiry; keep asking this long after it. */
export const RECONCILE_GRACE_SECONDS = 24 * 3600;
/**
 * An authorization the merchant neither captures nor voids is released after this long (card
 * networks hold them about a week).
 */
export const AUTHORIZATION_VALID_SECONDS = 7 * 24 * 3600;

/** A trade the shopper leaves open (a QR code on a screen, a cashier page in a tab) stops taking
 * money after this long, so a stale code cannot be paid much later; the widget offers a new one. */
export const TRADE_LIFETIME_SECONDS = 15 * 60;

/** When an attempt's trade stops taking money at its channel. */
export const tradeEndsAt = (attempt: AttemptRow, order: OrderRow): number =>
  Math.min(order.expires_at, attempt.created_at + TRADE_LIFETIME_SECONDS);

/**
 * Past this, the channel has nothing more to tell: the order expired (or its authorization lapsed) a grace period ago.
 */
function stopAskingAt(order: OrderRow): number {
  const authorizationEnds = order.authorized_at === null ? 0 : order.authorized_at + AUTHORIZATION_VALID_SECONDS;
  return Math.max(order.expires_at, authorizationEnds) + RECONCILE_GRACE_SECONDS;
}

/**
 * Claims a due question: the next time moves on before the channel is called, so a concurrent
 * run skips it and a lost answer is asked again. Past the order's expiry plus grace, asking stops.
 */
function claimQuery(attempts: AttemptsTable, order: OrderRow, attempt: AttemptRow): boolean {
  const next = now() + (QUERY_GAPS_SECONDS[attempt.queries] ?? QUERY_GAP_AFTER_SCHEDULE);
  return attempts.claimQuery(attempt, next > stopAskingAt(order) ? null : next);
}

/** A minute from now, or null once the order is past expiry plus grace. */
export function firstQueryAt(order: OrderRow): number | null {
  const at = now() + QUERY_FIRST_AFTER_SECONDS;
  return at > stopAskingAt(order) ? null : at;
}

/** Asks about an attempt again soon: its call's answer was lost, or a capture's was. */
export function queryAgainSoon(attempts: AttemptsTable, attemptId: string): void {
  attempts.queryAt(attemptId, now() + QUERY_FIRST_AFTER_SECONDS);
}

/** An attempt Till canceled or failed that the channel still holds open (or authorized). */
function mustClose(local: AttemptStatus, outcome: ChannelOutcome | null): boolean {
  const givenUp = local === 'canceled' || local === 'failed';
  return (
    givenUp &&
    (outcome === null ||
      outcome.status === 'authorized' ||
      outcome.status === 'requires_action' ||
      outcome.status === 'processing')
  );
}

/** Asks channels about the due attempts and applies what they say, as a notification would be. */
export async function reconcile(o: OrderContext): Promise<void> {
  const { attempts } = o.ledger;
  for (const due of attempts.dueQueries(now())) {
    if (!o.transaction(() => claimQuery(attempts, o.ledger.order(), due))) continue;
    const answer = await queryTrade(channelScope(o), due);
    if (answer.kind === 'no_answer') continue;
    if (answer.kind === 'no_trade') {
      // Some channels open the trade only when the shopper scans the code or logs in at the
      // cashier (Alipay): until the trade's time is up, "no such trade" is no news.
      const attempt = o.ledger.attempt(due.id);
      if (attempt && now() <= tradeEndsAt(attempt, o.ledger.order()) + QUERY_FIRST_AFTER_SECONDS) continue;
      // It never opened (or the start call was lost before reaching the channel): nothing moved.
      o.transaction(() => {
        attempts.stopQuerying(due.id, true, now());
        o.ledger.applyOutcome(due.id, { status: 'canceled' });
        o.ledger.closeIfOrderClosed(due.id);
      });
      continue;
    }
    const { outcome } = answer;
    const current = o.ledger.attempt(due.id);
    if (!current) continue;
    if (mustClose(current.status, outcome)) {
      // Till gave up on this attempt but the channel still holds it open: close it there, then ask again.
      if (await closeTrade(channelScope(o), current)) o.transaction(() => queryAgainSoon(attempts, due.id));
      continue;
    }
    if (!outcome) continue;
    o.transaction(() => applyChannelAnswer(o, due.id, outcome));
  }
}

/** Applies what the channel said when asked (inside a transaction); a final answer ends the asking. */
export function applyChannelAnswer(o: OrderContext, attemptId: string, outcome: ChannelOutcome): void {
  o.ledger.applyOutcome(attemptId, outcome);
  o.ledger.closeIfOrderClosed(attemptId);
  if (outcome.status !== 'requires_action' && outcome.status !== 'processing')
    o.ledger.attempts.stopQuerying(attemptId, outcome.status === 'canceled', now());
}
