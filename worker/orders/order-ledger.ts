/**
 * The order's state changes, all synchronous so the Durable Object composes them inside one
 * `transactionSync`. It decides; the table modules write (orders-table.ts, attempts-table.ts,
 * outbox.ts, refunds.ts, cards-table.ts, processor-tries.ts), each status through its transition
 * table. Every move a merchant hears about appends its event to the outbox in the same transaction.
 */
import { TillError } from '../../shared/errors.ts';
import {
  canTransition,
  EVENT_FOR_STATUS,
  isTerminal,
  type OrderStatus,
  orderStatusForAttempt,
  type WebhookEventType,
} from '../../shared/order-model.ts';
import type { CardRoute, CreateOrderRequest, Mode, Order } from '../../shared/schemas.ts';
import { signClientToken, signReceipt } from '../../shared/tokens.ts';
import { now } from '../base/clock.ts';
import type { Env } from '../base/env.ts';
import { newEventId } from '../base/ids.ts';
import { signingKeys } from '../base/keys.ts';
import type { ChannelOutcome } from '../channels/types.ts';
import { AttemptsTable, amountTaken } from './attempts-table.ts';
import { CardsTable } from './cards-table.ts';
import { allDisputes, type DisputeRow, disputeView } from './disputes.ts';
import { type AttemptRow, type OrderRow, orderView, type RefundRow, refundView } from './order-store.ts';
import { OrdersTable, type StatusFields } from './orders-table.ts';
import { Outbox } from './outbox.ts';
import { ProcessorTries } from './processor-tries.ts';
import { firstQueryAt, QUERY_FIRST_AFTER_SECONDS } from './reconciliation.ts';
import { addAutomaticRefund, allRefunds } from './refunds.ts';

const DEFAULT_EXPIRES_IN = 3600;

export interface CreateOrderInput {
  id: string;
  merchant: { id: string; name: string; mode: Mode; channels: string[]; cardRouting: CardRoute[] };
  request: CreateOrderRequest;
  requestHash: string;
}

export class OrderLedger {
  readonly orders: OrdersTable;
  readonly attempts: AttemptsTable;
  readonly outbox: Outbox;
  readonly cards: CardsTable;
  readonly tries: ProcessorTries;
  private readonly sql: SqlStorage;
  private readonly env: Env;
  /** Attempts canceled here that must also be closed at their channel, after the transaction. */
  private toClose: AttemptRow[] = [];

  constructor(sql: SqlStorage, env: Env) {
    this.sql = sql;
    this.env = env;
    this.orders = new OrdersTable(sql);
    this.attempts = new AttemptsTable(sql);
    this.outbox = new Outbox(sql);
    this.cards = new CardsTable(sql);
    this.tries = new ProcessorTries(sql);
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
    return this.orders.find();
  }

  order(): OrderRow {
    return this.orders.get();
  }

  attempt(id: string): AttemptRow | undefined {
    return this.attempts.find(id);
  }

  latestAttempt(): AttemptRow | undefined {
    return this.attempts.latest();
  }

  /** Attempts still waiting on a channel call or on the channel's answer. */
  inFlightAttempts(): AttemptRow[] {
    return this.attempts.inFlight();
  }

  view(): Order {
    return orderView(this.order(), this.attempts.all(), allRefunds(this.sql), {
      tries: this.tries.byAttempt(),
      disputes: allDisputes(this.sql),
    });
  }

  // ---- changes -------------------------------------------------------------------------

  /** Creates the order once; true when it was made before by the same request (a replay). */
  createOnce(input: CreateOrderInput): boolean {
    const existing = this.findOrder();
    if (!existing) {
      this.createOrder(input);
      this.appendEvent('order.created');
      return false;
    }
    if (existing.merchant_id !== input.merchant.id || existing.request_hash !== input.requestHash) {
      throw new TillError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request body',
      );
    }
    return true;
  }

  /** Writes a new order, with its client token signed for exactly what it holds. */
  private createOrder(input: CreateOrderInput): void {
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
    this.orders.create({
      id: input.id,
      merchantId: merchant.id,
      merchantName: merchant.name,
      channels: merchant.channels,
      cardRouting: merchant.cardRouting,
      mode: merchant.mode,
      amount: request.amount,
      currency: request.currency,
      description: request.description,
      returnUrl: request.return_url ?? null,
      metadata: request.metadata ?? {},
      createdAt: created,
      expiresAt,
      clientToken,
      requestHash: input.requestHash,
      captureMethod: request.capture_method ?? 'automatic',
    });
  }

  /**
   * Moves an attempt to what the channel reported, and the order with it. A stale or repeated
   * outcome changes nothing and returns false.
   */
  applyOutcome(attemptId: string, said: ChannelOutcome): boolean {
    const attempt = this.attempt(attemptId);
    if (!attempt) return false;
    // Only an authorization captured later can take part of its amount; any other payment took it all.
    const outcome: ChannelOutcome =
      said.status === 'succeeded' && this.order().capture_method !== 'manual' ? { status: 'succeeded' } : said;
    if (!this.attempts.recordOutcome(attempt, outcome, now(), attempt.created_at + QUERY_FIRST_AFTER_SECONDS))
      return false;

    const row = this.order();
    if (outcome.status === 'succeeded') {
      // What it took is on the row now: less than its amount after a partial capture.
      const taken = this.attempts.find(attemptId) ?? attempt;
      // An authorized order is paid only by capturing its own authorization.
      const capturable = row.status !== 'authorized' || attempt.status === 'authorized';
      if (row.paid_attempt_id === null && canTransition(row.status, 'paid') && capturable) {
        this.markPaid(row, taken);
      } else {
        // The shopper paid twice, or paid after the order closed: this money goes back at once.
        this.attempts.flagForRefund(attemptId);
        const refund = addAutomaticRefund(this.sql, taken, row.paid_attempt_id ? 'duplicate_payment' : 'order_closed');
        if (refund) this.appendEvent('refund.created', { refund });
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
      const fields: StatusFields =
        outcome.status === 'failed'
          ? { last_failure: JSON.stringify(outcome.failure) }
          : outcome.status === 'authorized'
            ? { authorized_at: now() }
            : {};
      this.setOrderStatus(row, target, fields);
    }
    return true;
  }

  private markPaid(row: OrderRow, attempt: AttemptRow): void {
    const paidAt = now();
    const receipt = signReceipt(
      {
        iss: 'till',
        sub: row.id,
        mer: row.merchant_id,
        // What was taken: less than the order's amount after a partial capture.
        amt: amountTaken(attempt),
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

  /** Moves the order through the transition table; a new status appends its event. */
  setOrderStatus(row: OrderRow, status: OrderStatus, fields: StatusFields = {}): void {
    if (this.orders.transition(row, status, fields)) this.appendEvent(EVENT_FOR_STATUS[status]);
  }

  /**
   * Cancels the attempts that could still take money (except `keep`); they are closed at their
   * channels after the transaction. Attempts whose channel call is still in flight are left to
   * that call, which sees the closed order when it returns.
   */
  cancelLiveAttempts(keep?: string): void {
    for (const attempt of this.attempts.live(keep)) this.cancelAttempt(attempt);
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
    if (this.attempts.cancel(attempt, now(), firstQueryAt(this.order()))) this.toClose.push(attempt);
  }

  /** Appends an event to the outbox; `refund.*` events name their refund, `dispute.*` events their dispute. */
  appendEvent(type: WebhookEventType, subject?: { refund: RefundRow } | { dispute: DisputeRow }): void {
    const { client_token: _token, ...object } = this.view();
    const id = newEventId();
    const created = now();
    const data = !subject
      ? { object }
      : 'dispute' in subject
        ? { object, dispute: disputeView(subject.dispute, object.id) }
        : { object, refund: refundView(subject.refund, object.id) };
    const body = JSON.stringify({ id, object: 'event', type, created, mode: object.mode, data });
    this.outbox.append({ id, type, created, body });
  }
}
