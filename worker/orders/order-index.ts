/**
 * Keeps the D1 orders index current from the order object. Each write carries the order's
 * version and only ever replaces an older one, so retries and reordering are harmless; a failed
 * write is retried by the object's alarm until it lands.
 */

import { now } from '../base/clock.ts';
import type { OrderContext } from './order-context.ts';
import type { OrderRow, OutboxRow } from './order-store.ts';

export const INDEX_RETRY_SECONDS = 30;

/**
 * Writes the row's current version, the order's events not yet indexed and the references of its
 * payments to the index in one batch; returns whether it landed. Events and payment references
 * are immutable, so re-writing them is a no-op.
 */
export async function writeToIndex(
  db: D1Database,
  row: OrderRow,
  paidChannel: string | null,
  events: OutboxRow[],
  payments: ReadonlyArray<{ channel: string; ref: string }> = [],
): Promise<boolean> {
  try {
    const paymentStatements = payments.map(({ channel, ref }) =>
      db
        .prepare('INSERT OR IGNORE INTO payment_refs (channel, ref, order_id) VALUES (?1, ?2, ?3)')
        .bind(channel, ref, row.id),
    );
    const eventStatements = events.map((event) =>
      db
        .prepare(
          `INSERT OR IGNORE INTO events (id, merchant_id, mode, order_id, seq, type, created_at, body)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
        )
        .bind(event.id, row.merchant_id, row.mode, row.id, event.seq, event.type, event.created_at, event.body),
    );
    const orderStatement = db
      .prepare(
        `INSERT INTO orders (id, merchant_id, mode, status, amount, currency, description, metadata, paid_channel,
           created_at, paid_at, updated_at, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, metadata = excluded.metadata,
           paid_channel = excluded.paid_channel, paid_at = excluded.paid_at, updated_at = excluded.updated_at,
           version = excluded.version
         WHERE excluded.version > orders.version`,
      )
      .bind(
        row.id,
        row.merchant_id,
        row.mode,
        row.status,
        row.amount,
        row.currency,
        row.description,
        row.metadata,
        paidChannel,
        row.created_at,
        row.paid_at,
        now(),
        row.version,
      );
    await db.batch([orderStatement, ...eventStatements, ...paymentStatements]);
    return true;
  } catch (error) {
    console.warn('orders index write failed', { order: row.id, error: (error as Error)?.name });
    return false;
  }
}

/** One order's side of the index: what it has written, and when to try again after a failure. */
export class IndexSync {
  private readonly o: OrderContext;
  /** After a failed write, when to try again (kept in memory: a restart retries at once). */
  private retryAt = 0;

  constructor(o: OrderContext) {
    this.o = o;
  }

  /** Whether the index lacks the order's current version or some of its events. */
  private behind(row: OrderRow): boolean {
    return row.version > row.indexed_version || this.o.ledger.outbox.lastSeq() > row.indexed_event_seq;
  }

  /** When the alarm should write to the index, or null when it is current (or there is no order). */
  nextWriteAt(): number | null {
    const row = this.o.ledger.findOrder();
    return row && this.behind(row) ? Math.max(now(), this.retryAt) : null;
  }

  /** Writes the order's current version and its new events if the index is behind. */
  async sync(): Promise<void> {
    const { ledger, env } = this.o;
    const row = ledger.findOrder();
    const at = now();
    if (!row || !this.behind(row) || this.retryAt > at) return;
    const paidChannel = row.paid_attempt_id ? (ledger.attempt(row.paid_attempt_id)?.channel ?? null) : null;
    const events = ledger.outbox.since(row.indexed_event_seq);
    const payments = ledger.attempts
      .all()
      .filter((attempt) => attempt.status === 'succeeded' && attempt.channel_ref)
      .map((attempt) => ({ channel: attempt.channel, ref: attempt.channel_ref as string }));
    if (await writeToIndex(env.DB, row, paidChannel, events, payments)) {
      ledger.orders.markIndexed(row.version, events.at(-1)?.seq ?? row.indexed_event_seq);
      this.retryAt = 0;
    } else {
      this.retryAt = at + INDEX_RETRY_SECONDS;
    }
  }
}
