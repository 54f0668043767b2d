/**
 * The `orders` table (one row: the order itself) and the only code that writes it. Every status
 * change goes through the transition table and bumps the version, guarded by the version read,
 * so a decision taken on a stale row fails loudly and rolls its transaction back.
 * Synchronous: callers compose these inside the order object's transactions.
 */
import { TillError } from '../../shared/errors.ts';
import type { Currency } from '../../shared/money.ts';
import type { CaptureMethod } from '../../shared/order-model.ts';
import { canTransition, type OrderStatus } from '../../shared/order-model.ts';
import type { CardRoute, Mode } from '../../shared/schemas.ts';
import type { OrderRow } from './order-store.ts';

/** What a new order is made of; it starts `open`. */
export interface NewOrder {
  id: string;
  merchantId: string;
  merchantName: string;
  channels: readonly string[];
  /** The merchant's card routing for the order's mode, as it was when the order was made. */
  cardRouting: readonly CardRoute[];
  mode: Mode;
  amount: number;
  currency: Currency;
  description: string;
  returnUrl: string | null;
  metadata: Record<string, string>;
  createdAt: number;
  expiresAt: number;
  clientToken: string;
  requestHash: string;
  captureMethod: CaptureMethod;
}

/** Columns a status change may set along with the status. */
export type StatusFields = Partial<
  Pick<
    OrderRow,
    'paid_at' | 'canceled_at' | 'paid_attempt_id' | 'last_failure' | 'receipt' | 'authorized_at' | 'capture_started_at'
  >
>;

export class OrdersTable {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  find(): OrderRow | undefined {
    return this.sql.exec<OrderRow>('SELECT * FROM orders LIMIT 1').toArray()[0];
  }

  get(): OrderRow {
    const row = this.find();
    if (!row) throw new TillError('order_not_found', 'No such order');
    return row;
  }

  create(order: NewOrder): void {
    this.sql.exec(
      `INSERT INTO orders (id, merchant_id, merchant_name, channels, mode, status, amount, currency, description,
         return_url, metadata, created_at, expires_at, client_token, request_hash, capture_method, card_routing)
       VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      order.id,
      order.merchantId,
      order.merchantName,
      JSON.stringify(order.channels),
      order.mode,
      order.amount,
      order.currency,
      order.description,
      order.returnUrl,
      JSON.stringify(order.metadata),
      order.createdAt,
      order.expiresAt,
      order.clientToken,
      order.requestHash,
      order.captureMethod,
      JSON.stringify(order.cardRouting),
    );
  }

  /**
   * Moves the order to `status` (or keeps it there, setting `fields`), as the transition table
   * allows; answers whether the status changed, so the caller writes its event.
   */
  transition(row: OrderRow, status: OrderStatus, fields: StatusFields = {}): boolean {
    if (row.status !== status && !canTransition(row.status, status)) {
      throw new Error(`order transition ${row.status} → ${status} is not allowed`);
    }
    const changes: Record<string, SqlStorageValue> = { ...fields, status };
    const columns = Object.keys(changes);
    const written = this.sql.exec(
      `UPDATE orders SET ${columns.map((column) => `${column} = ?`).join(', ')}, ` +
        'version = version + 1 WHERE id = ? AND version = ?',
      ...columns.map((column) => changes[column] ?? null),
      row.id,
      row.version,
    ).rowsWritten;
    // A stale row would decide on facts no longer true: fail loudly and roll the transaction back.
    if (written === 0) throw new Error(`order ${row.id} changed since version ${row.version} was read`);
    return row.status !== status;
  }

  /** Marks a capture of `amount` as started at `at`: a void or a second capture waits for it. */
  claimCapture(at: number, amount: number): void {
    this.sql.exec('UPDATE orders SET capture_started_at = ?, capture_amount = ?', at, amount);
  }

  /** The processor refused the capture: nothing was taken, and the next capture may ask any amount. */
  forgetCaptureAmount(): void {
    this.sql.exec('UPDATE orders SET capture_amount = NULL');
  }

  /** Ends the capture claimed at `at`, and only that one: a later capture may hold the order by now. */
  releaseCapture(at: number): void {
    this.sql.exec('UPDATE orders SET capture_started_at = NULL WHERE capture_started_at = ?', at);
  }

  /** The D1 index has this version of the order and its events up to `eventSeq`. */
  markIndexed(version: number, eventSeq: number): void {
    this.sql.exec(
      'UPDATE orders SET indexed_version = MAX(indexed_version, ?), indexed_event_seq = MAX(indexed_event_seq, ?)',
      version,
      eventSeq,
    );
  }
}
