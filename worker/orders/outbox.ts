/**
 * The `outbox` table, the order's events, and the only code that writes it. An event is appended
 * in the transaction that made the change it reports; the alarm hands it out once, to one
 * delivery per endpoint (delivery-store.ts). Synchronous, for the order object's transactions.
 */
import type { WebhookEventType } from '../../shared/order-model.ts';
import type { OutboxRow } from './order-store.ts';

export interface NewEvent {
  id: string;
  type: WebhookEventType;
  created: number;
  /** The event as merchants receive it (JSON). */
  body: string;
}

export class Outbox {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  append(event: NewEvent): void {
    this.sql.exec(
      'INSERT INTO outbox (id, type, created_at, body, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
      event.id,
      event.type,
      event.created,
      event.body,
      event.created,
    );
  }

  /** The event was handed out: to the endpoints that take it (`dispatched`), or to none. */
  markHandedOut(seq: number, state: 'dispatched' | 'no_endpoint'): void {
    this.sql.exec('UPDATE outbox SET state = ? WHERE seq = ?', state, seq);
  }

  /** The endpoints could not be learned: events not handed out yet wait until `at`. */
  postponeHandOut(at: number): void {
    this.sql.exec("UPDATE outbox SET next_attempt_at = MAX(next_attempt_at, ?) WHERE state = 'pending'", at);
  }

  /** Events after `seq`, oldest first. */
  since(seq: number): OutboxRow[] {
    return this.sql.exec<OutboxRow>('SELECT * FROM outbox WHERE seq > ? ORDER BY seq', seq).toArray();
  }

  /** The newest event's position (0 when none). */
  lastSeq(): number {
    return this.sql.exec<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM outbox').one().seq ?? 0;
  }
}
