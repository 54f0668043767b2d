/**
 * The order's alarm: when it must run next (the earliest of everything the order waits for; each
 * part answers its own time, the object adds the ones only it knows), setting it, and what it
 * does then.
 */
import { isTerminal } from '../../shared/order-model.ts';
import { now } from '../base/clock.ts';
import { failLostCalls, lostAfter } from './attempt-start.ts';
import { cardErasureAt, eraseCardsIfDue } from './card-erasure.ts';
import { nextDeliveryAt } from './delivery-store.ts';
import { expireOrRelease, expiryCheckAt } from './expiry.ts';
import type { LiveStatus } from './live-status.ts';
import type { OrderContext } from './order-context.ts';
import type { IndexSync } from './order-index.ts';
import { reconcile } from './reconciliation.ts';
import { nextRefundCallAt } from './refunds.ts';
import { processRefunds } from './settlement.ts';
import { deliverPendingEvents } from './webhook-delivery.ts';

/** Unix seconds, or null when nothing is waited for. */
export function nextAlarmAt(o: OrderContext, others: ReadonlyArray<number | null>): number | null {
  const row = o.ledger.findOrder();
  if (!row) return null;
  const oldestPending = o.ledger.inFlightAttempts().find((attempt) => attempt.status === 'pending');
  const times = [
    // Events to hand out, or a line of deliveries whose head is due.
    nextDeliveryAt(o.sql),
    isTerminal(row.status) ? null : expiryCheckAt(o, row),
    // A channel call that may have been lost.
    oldestPending ? lostAfter(oldestPending) : null,
    o.ledger.attempts.nextQueryAt(),
    nextRefundCallAt(o.sql),
    cardErasureAt(o),
    ...others,
  ].filter((time): time is number => time !== null);
  return times.length === 0 ? null : Math.min(...times);
}

/** Sets the object's alarm and knows whether it is firing: the object owns one. */
export class AlarmClock {
  private readonly storage: DurableObjectStorage;
  /** The alarm this object last set (ms), so an unchanged time is not written again. */
  private alarmAt: number | null = null;
  private inAlarm = false;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
  }

  /** Sets the alarm for `next` (Unix seconds, from nextAlarmAt); null leaves it as it is. */
  async set(next: number | null): Promise<void> {
    if (next === null) return;
    // Anything already due runs at once (a time in the past is refused by setAlarm when it is 0).
    // During an alarm run, not sooner than the next second: the runtime drops a write of the very
    // time that is firing, and due-now times are whole seconds.
    const at = Math.max(next, now() + (this.inAlarm ? 1 : 0)) * 1000;
    // Settling calls this before and after its channel calls: write only when the time moved.
    if (at === this.alarmAt) return;
    await this.storage.setAlarm(at);
    this.alarmAt = at;
  }

  /** Runs the work of the alarm that fired, then `reschedule`, even when the work failed. */
  async fired(work: () => Promise<void>, reschedule: () => Promise<void>): Promise<void> {
    // The platform cleared the alarm that fired; an alarm run that fails is retried by it.
    this.alarmAt = null;
    this.inAlarm = true;
    try {
      await work();
    } finally {
      // Whatever failed above, pending events and expiry keep their next look.
      await reschedule();
      this.inAlarm = false;
    }
  }
}

/** What the alarm needs of the object beyond the order's context. */
export interface AlarmParts {
  storage: DurableObjectStorage;
  live: LiveStatus;
  index: IndexSync;
  /** Pushes the order to the widgets watching it. */
  publish(): void;
  /** Closes at their channels the attempts committed transactions canceled. */
  closeCanceledAttempts(): Promise<void>;
}

/** Everything that is due: lost calls, expiry, questions to channels, refunds, the index, webhooks. */
export async function runDueWork(o: OrderContext, parts: AlarmParts): Promise<void> {
  const row = o.ledger.findOrder();
  if (!row) return;
  o.transaction(() => failLostCalls(o));
  const due = expiryCheckAt(o, row);
  if (due !== null && due <= now()) o.transaction(() => expireOrRelease(o));
  await reconcile(o);
  // Expiry or reconciliation may have closed attempts, paid the order or made refunds.
  parts.publish();
  await parts.closeCanceledAttempts();
  await processRefunds(o);
  parts.publish();
  parts.live.closeExpired();
  await parts.index.sync();
  o.transaction(() => eraseCardsIfDue(o));
  await deliverPendingEvents(o.env, o.sql, parts.storage, row.merchant_id);
}
