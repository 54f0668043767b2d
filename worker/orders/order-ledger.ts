/**
 * The order's state changes, all synchronous so the Durable Object composes them inside one
 * `transactionSync`. Every order move goes through the transition table; every move a merchant
 * hears about appends its event to the outbox in the same transaction.
 */
import { TillError } from '../../shared/errors.ts';
import {
  canTransition,
  canTransitionAttempt,
  EVENT_FOR_STATUS,
  isTerminal,
  type OrderStatus,
  orderStatusForAttempt,
  type WebhookEventType,
} from '../../shared/order-model.ts';
import type { CreateOrderRequest, Mode, Order } from '../../shared/schemas.ts';
import { signClientToken, signReceipt } from '../../shared/tokens.ts';
import { now } from '../base/clock.ts';
import type { Env } from '../base/env.ts';
import { newEventId } from '../base/ids.ts';
import { signingKeys } from '../base/keys.ts';
import type { ChannelOutcome } from '../channels/types.ts';
import { type AttemptRow, type OrderRow, orderView, type RefundRow, refundView } from './order-store.ts';
import { firstQueryAt, QUERY_FIRST_AFTER_SECONDS } from './reconciliation.ts';
import { addAutomaticRefund } from './refunds.ts';

const DEFAULT_EXPIRES_IN = 3600;

export interface CreateOrderInput {
  id: string;
  merchant: { id: string; name: string; mode: Mode; channels: string[] };
  request: CreateOrderRequest;
  requestHash: string;
}

/** Attempts whose money may still move at the channel. */
const LIVE_ATTEMPTS = "('requires_action', 'processing', 'authorized')";

export class OrderLedger {
  private readonly sql: SqlStorage;
  private readonly env: Env;
  /** Attempts canceled here that must also be closed at their channel, after the transaction. */
  private toClose: AttemptRow[] = [];

  constructor(sql: SqlStorage, env: Env) {
    this.sql = sql;
    this.env = env;
  }

  /**
   * Runs `work` as one transaction's bookkeeping: attempts it canceled wait (with those of
   * earlier committed transactions) until taken; if it rolls back, its own are dropped.
   */
  within<T>(transaction: (work: () => T) => T, work: () => T): T {
    const mark = this.toClose.length;
    try {
      return transaction(work);
    } catch (error) {
      this.toClose.length = mark;
      throw error;
    }
  }

  /** The attempts committed transactions canceled, to close at their channels outside them. */
  takeToClose(): AttemptRow[] {
    const attempts = this.toClose;
    this.toClose = [];
    return attempts;
  }

  // ---- reads ---------------------------------------------------------------------------

  findOrder(): OrderRow | undefined {
    return this.sql.exec<OrderRow>('SELECT * FROM orders LIMIT 1').toArray()[0];
  }

  order(): OrderRow {
    const row = this.findOrder();
    if (!row) throw new TillError('order_not_found', 'No such order');
    return row;
  }

  attempts(): AttemptRow[] {
    return this.sql.exec<AttemptRow>('SELECT * FROM attempts ORDER BY seq').toArray();
  }

  attempt(id: string): AttemptRow | undefined {
    return this.sql.exec<AttemptRow>('SELECT * FROM attempts WHERE id = ?', id).toArray()[0];
  }

  latestAttempt(): AttemptRow | undefined {
    return this.sql.exec<AttemptRow>('SELECT * FROM attempts ORDER BY seq DESC LIMIT 1').toArray()[0];
  }

  /** Attempts still waiting on a channel call or on the channel's answer. */
  inFlightAttempts(): AttemptRow[] {
    return this.sql.exec<AttemptRow>("SELECT * FROM attempts WHERE status IN ('pending', 'processing')").toArray();
  }

  refunds(): RefundRow[] {
    return this.sql.exec<RefundRow>('SELECT * FROM refunds ORDER BY seq').toArray();
  }

  view(): Order {
    return orderView(this.order(), this.attempts(), this.refunds());
  }

  // ---- changes -------------------------------------------------------------------------

  /** Writes a new order, with its client token signed for exactly what it holds. */
  createOrder(input: CreateOrderInput): void {
    const created = now();
    const { request, merchant } = input;
    const expiresAt = created + (request.expires_in ?? DEFAULT_EXPIRES_IN);
    const clientToken = signClientToken(
      {
        iss: 'till',
        sub: input.id,
        mer: merchant.id,
        amt: request.amount,
        cur: request.currency,
        mode: merchant.mode,
        iat: created,
        exp: expiresAt,
      },
      signingKeys(this.env).current,
    );
    this.sql.exec(
      `INSERT INTO orders (id, merchant_id, merchant_name, channels, mode, status, amount, currency, description,
         return_url, metadata, created_at, expires_at, client_token, request_hash, capture_method)
       VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      input.id,
      merchant.id,
      merchant.name,
      JSON.stringify(merchant.channels),
      merchant.mode,
      request.amount,
      request.currency,
      request.description,
      request.return_url ?? null,
      JSON.stringify(request.metadata ?? {}),
      created,
      expiresAt,
      clientToken,
      input.requestHash,
      request.capture_method ?? 'automatic',
    );
  }

  /**
   * Moves an attempt to what the channel reported, and the order with it. A stale or repeated
   * outcome changes nothing and returns false.
   */
  applyOutcome(attemptId: string, outcome: ChannelOutcome): boolean {
    const attempt = this.attempt(attemptId);
    if (!attempt || attempt.status === outcome.status) return false;
    if (!canTransitionAttempt(attempt.status, outcome.status)) return false;
    const failure = outcome.status === 'failed' ? JSON.stringify(outcome.failure) : null;
    // Until the channel gives a final answer, reconciliation keeps asking it.
    const waiting = outcome.status === 'requires_action' || outcome.status === 'processing';
    this.sql.exec(
      `UPDATE attempts SET status = ?, next_action = ?, failure = ?, updated_at = ?,
         next_query_at = CASE WHEN ? THEN COALESCE(next_query_at, ?) ELSE NULL END WHERE id = ?`,
      outcome.status,
      outcome.status === 'requires_action' ? JSON.stringify(outcome.nextAction) : null,
      failure,
      now(),
      waiting ? 1 : 0,
      attempt.created_at + QUERY_FIRST_AFTER_SECONDS,
      attemptId,
    );

    const row = this.order();
    if (outcome.status === 'succeeded') {
      // An authorized order is paid only by capturing its own authorization.
      const capturable = row.status !== 'authorized' || attempt.status === 'authorized';
      if (row.paid_attempt_id === null && canTransition(row.status, 'paid') && capturable) {
        this.markPaid(row, attempt);
      } else {
        // The shopper paid twice, or paid after the order closed: this money goes back at once.
        this.sql.exec('UPDATE attempts SET needs_refund = 1 WHERE id = ?', attemptId);
        const refund = addAutomaticRefund(
          this.sql,
          attempt,
          row.paid_attempt_id ? 'duplicate_payment' : 'order_closed',
        );
        if (refund) this.appendEvent('refund.created', refund);
      }
      return true;
    }
    // The channel released the authorization itself (the issuer reversed it): nothing is left to capture.
    if (row.status === 'authorized' && attempt.status === 'authorized') {
      this.setOrderStatus(row, 'voided', { canceled_at: now() });
      return true;
    }
    // Only the newest attempt speaks for the order; an older one was already superseded.
    if (this.latestAttempt()?.id !== attemptId || isTerminal(row.status)) return true;
    const target = orderStatusForAttempt(outcome.status);
    if (target !== row.status && canTransition(row.status, target)) {
      const fields: Partial<OrderRow> =
        outcome.status === 'failed'
          ? { last_failure: failure }
          : outcome.status === 'authorized'
            ? { authorized_at: now() }
            : {};
      this.setOrderStatus(row, target, fields);
    }
    return true;
  }

  /** The attempt holding an authorization the merchant may capture or void. */
  authorizedAttempt(): AttemptRow | undefined {
    return this.sql
      .exec<AttemptRow>("SELECT * FROM attempts WHERE status = 'authorized' ORDER BY seq DESC LIMIT 1")
      .toArray()[0];
  }

  private markPaid(row: OrderRow, attempt: AttemptRow): void {
    const paidAt = now();
    const receipt = signReceipt(
      {
        iss: 'till',
        sub: row.id,
        mer: row.merchant_id,
        amt: row.amount,
        cur: row.currency,
        mode: row.mode,
        att: attempt.id,
        ch: attempt.channel,
        paid_at: paidAt,
        iat: paidAt,
      },
      signingKeys(this.env).current,
    );
    // Other attempts can no longer pay this order: close them before the event is written.
    this.cancelLiveAttempts(attempt.id);
    this.setOrderStatus(row, 'paid', {
      paid_at: paidAt,
      paid_attempt_id: attempt.id,
      receipt,
      last_failure: null,
      capture_started_at: null,
    });
  }

  setOrderStatus(row: OrderRow, status: OrderStatus, fields: Partial<OrderRow> = {}): void {
    if (row.status !== status && !canTransition(row.status, status)) {
      throw new Error(`order transition ${row.status} → ${status} is not allowed`);
    }
    const changes: Partial<OrderRow> = { ...fields, status };
    const columns = Object.keys(changes);
    const written = this.sql.exec(
      `UPDATE orders SET ${columns.map((column) => `${column} = ?`).join(', ')}, version = version + 1 WHERE id = ? AND version = ?`,
      ...columns.map((column) => changes[column] ?? null),
      row.id,
      row.version,
    ).rowsWritten;
    // A stale row would decide on facts no longer true: fail loudly and roll the transaction back.
    if (written === 0) throw new Error(`order ${row.id} changed since version ${row.version} was read`);
    const event = EVENT_FOR_STATUS[status];
    if (row.status !== status) this.appendEvent(event);
  }

  /**
   * Cancels the attempts that could still take money (except `keep`); they are closed at their
   * channels after the transaction. Attempts whose channel call is still in flight are left to
   * that call, which sees the closed order when it returns.
   */
  cancelLiveAttempts(keep?: string): void {
    const live = this.sql
      .exec<AttemptRow>(`SELECT * FROM attempts WHERE status IN ${LIVE_ATTEMPTS} AND id != ?`, keep ?? '')
      .toArray();
    for (const attempt of live) this.cancelAttempt(attempt);
  }

  /** An attempt left live on an order that can no longer use it (its channel call returned
   * after the order closed) is canceled too. */
  closeIfOrderClosed(attemptId: string): void {
    const row = this.order();
    const attempt = this.attempt(attemptId);
    if (!attempt || !isTerminal(row.status) || row.paid_attempt_id === attemptId) return;
    if (['requires_action', 'processing', 'authorized'].includes(attempt.status)) this.cancelAttempt(attempt);
  }

  /** Cancels an attempt here; it is closed at its channel after the transaction, and asked
   * about until the channel confirms it closed (money may have moved in between). */
  private cancelAttempt(attempt: AttemptRow): void {
    this.sql.exec(
      "UPDATE attempts SET status = 'canceled', next_action = NULL, updated_at = ?, next_query_at = ? WHERE id = ?",
      now(),
      firstQueryAt(this.order()),
      attempt.id,
    );
    this.toClose.push(attempt);
  }

  /** Appends an event to the outbox; `refund.*` events name their refund. */
  appendEvent(type: WebhookEventType, refund?: RefundRow): void {
    const { client_token: _token, ...object } = this.view();
    const id = newEventId();
    const created = now();
    const data = refund ? { object, refund: refundView(refund, object.id) } : { object };
    const body = JSON.stringify({ id, object: 'event', type, created, mode: object.mode, data });
    this.sql.exec(
      'INSERT INTO outbox (id, type, created_at, body, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
      id,
      type,
      created,
      body,
      created,
    );
  }
}
