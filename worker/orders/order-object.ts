/**
 * One Durable Object per order: the only writer of the order, its attempts and its outbox.
 *
 * Every state change is decided in one synchronous transaction guarded by the transition
 * table. Channel calls happen between transactions, never inside one, and their answers are
 * applied by another guarded transaction — so a notification that races a channel call, or two
 * shoppers' clicks, can never both win.
 */
import { DurableObject } from 'cloudflare:workers';
import { TillError } from '../../shared/errors.ts';
import {
  acceptsAttempts,
  canTransition,
  canTransitionAttempt,
  EVENT_FOR_STATUS,
  isTerminal,
  orderStatusForAttempt,
  type OrderStatus,
  type WebhookEventType,
} from '../../shared/order-model.ts';
import type { CheckoutSummary, CreateOrderRequest, Mode, Order, ShopperContext } from '../../shared/schemas.ts';
import { signClientToken, signReceipt, type ClientTokenClaims } from '../../shared/tokens.ts';
import { channelOf, isChannelId } from '../channels/registry.ts';
import type { ChannelContext, ChannelOutcome, StartResult, VerifiedNotification } from '../channels/types.ts';
import type { Env } from '../env.ts';
import { newAttemptId, newEventId } from '../ids.ts';
import { signingKeys } from '../keys.ts';
import { asResult, type Result } from '../result.ts';
import { attemptView, orderView, SCHEMA, type AttemptRow, type OrderRow, type OutboxRow } from './order-store.ts';
import { deliverPendingEvents, nextDeliveryAt } from './webhook-delivery.ts';

const DEFAULT_EXPIRES_IN = 3600;

export interface CreateOrderInput {
  id: string;
  merchant: { id: string; name: string; mode: Mode; channels: string[] };
  request: CreateOrderRequest;
  requestHash: string;
}

export interface StartAttemptInput {
  claims: ClientTokenClaims;
  /** Validated by the channel's own schema at the boundary. */
  body: { channel: string; method: string; return_url?: string | undefined } & Record<string, unknown>;
  origin: string;
  context: ShopperContext;
}

const now = (): number => Math.floor(Date.now() / 1000);

export class OrderObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
  }

  // ---- reads ---------------------------------------------------------------------------

  private findOrder(): OrderRow | undefined {
    return this.sql.exec<OrderRow>('SELECT * FROM orders LIMIT 1').toArray()[0];
  }

  private order(): OrderRow {
    const row = this.findOrder();
    if (!row) throw new TillError('order_not_found', 'No such order');
    return row;
  }

  private attempts(): AttemptRow[] {
    return this.sql.exec<AttemptRow>('SELECT * FROM attempts ORDER BY seq').toArray();
  }

  private attempt(id: string): AttemptRow | undefined {
    return this.sql.exec<AttemptRow>('SELECT * FROM attempts WHERE id = ?', id).toArray()[0];
  }

  private latestAttempt(): AttemptRow | undefined {
    return this.sql.exec<AttemptRow>('SELECT * FROM attempts ORDER BY seq DESC LIMIT 1').toArray()[0];
  }

  private view(): Order {
    return orderView(this.order(), this.attempts());
  }

  private ownedBy(merchantId: string): OrderRow {
    const row = this.order();
    // Another merchant's order is indistinguishable from a missing one.
    if (row.merchant_id !== merchantId) throw new TillError('order_not_found', 'No such order');
    return row;
  }

  // ---- merchant API --------------------------------------------------------------------

  async create(input: CreateOrderInput): Promise<Result<{ order: Order; replayed: boolean }>> {
    return asResult(() => {
      const replayed = this.ctx.storage.transactionSync(() => {
        const existing = this.findOrder();
        if (existing) {
          if (existing.merchant_id !== input.merchant.id || existing.request_hash !== input.requestHash) {
            throw new TillError(
              'idempotency_key_reused',
              'This Idempotency-Key was already used with a different request body',
            );
          }
          return true;
        }
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
             return_url, metadata, created_at, expires_at, client_token, request_hash)
           VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        );
        this.appendEvent('order.created');
        return false;
      });
      return { order: this.view(), replayed };
    }).finally(() => this.scheduleAlarm());
  }

  async retrieve(merchantId: string): Promise<Result<Order>> {
    return asResult(() => {
      this.ownedBy(merchantId);
      return this.view();
    });
  }

  async cancel(merchantId: string, origin: string): Promise<Result<Order>> {
    const result = await asResult(() =>
      this.ctx.storage.transactionSync(() => {
        const row = this.ownedBy(merchantId);
        if (row.status === 'canceled') return [];
        if (!acceptsAttempts(row.status) || !canTransition(row.status, 'canceled')) {
          throw new TillError('order_not_cancelable', `An order that is ${row.status} cannot be canceled`);
        }
        this.setOrderStatus(row, 'canceled', { canceled_at: now() });
        return this.supersedeActiveAttempts();
      }),
    );
    if (!result.ok) return result;
    await this.closeAtChannels(result.value, origin);
    await this.scheduleAlarm();
    return { ok: true, value: this.view() };
  }

  // ---- checkout API --------------------------------------------------------------------

  private checkToken(row: OrderRow, claims: ClientTokenClaims): void {
    const matches =
      claims.sub === row.id &&
      claims.mer === row.merchant_id &&
      claims.amt === row.amount &&
      claims.cur === row.currency &&
      claims.mode === row.mode;
    if (!matches) throw new TillError('token_mismatch', 'The client token does not match this order');
  }

  private summary(context: ShopperContext): CheckoutSummary {
    const row = this.order();
    const latest = this.latestAttempt();
    const enabled = JSON.parse(row.channels) as string[];
    const methods = acceptsAttempts(row.status)
      ? enabled.filter(isChannelId).flatMap((id) => channelOf(id).methods(row, context))
      : [];
    return {
      order: {
        id: row.id,
        status: row.status,
        amount: row.amount,
        currency: row.currency,
        description: row.description,
        merchant_name: row.merchant_name,
        mode: row.mode,
        expires_at: row.expires_at,
        return_url: row.return_url,
      },
      methods,
      attempt: latest ? attemptView(latest) : null,
      last_failure: row.last_failure ? JSON.parse(row.last_failure) : null,
      receipt: row.receipt,
    };
  }

  async checkout(claims: ClientTokenClaims, context: ShopperContext): Promise<Result<CheckoutSummary>> {
    return asResult(() => {
      this.checkToken(this.order(), claims);
      return this.summary(context);
    });
  }

  async startAttempt(input: StartAttemptInput): Promise<Result<CheckoutSummary>> {
    const { claims, body, origin, context } = input;
    const opened = await asResult(() =>
      this.ctx.storage.transactionSync(() => {
        const row = this.order();
        this.checkToken(row, claims);
        if (row.expires_at <= now()) throw new TillError('order_not_payable', 'This order has expired');
        if (this.sql.exec('SELECT 1 FROM attempts WHERE status = ?', 'pending').toArray().length > 0) {
          throw new TillError('attempt_in_progress', 'A payment for this order is already being processed');
        }
        if (!acceptsAttempts(row.status)) {
          throw new TillError('order_not_payable', `An order that is ${row.status} cannot be paid`);
        }
        const enabled = JSON.parse(row.channels) as string[];
        const channelId = body.channel;
        const offered =
          isChannelId(channelId) &&
          enabled.includes(channelId) &&
          channelOf(channelId)
            .methods(row, context)
            .some((method) => method.method === body.method);
        if (!offered) {
          throw new TillError('channel_not_available', `${body.channel}/${body.method} is not available for this order`, 'channel');
        }
        const superseded = this.supersedeActiveAttempts();
        const id = newAttemptId();
        const at = now();
        this.sql.exec(
          `INSERT INTO attempts (id, channel, method, status, amount, currency, created_at, updated_at)
           VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)`,
          id,
          body.channel,
          body.method,
          row.amount,
          row.currency,
          at,
          at,
        );
        this.setOrderStatus(row, 'processing');
        return { id, superseded, channelId: channelId as Parameters<typeof channelOf>[0], row };
      }),
    );
    if (!opened.ok) return opened;
    const { id, superseded, channelId, row } = opened.value;
    await this.closeAtChannels(superseded, origin);

    const channel = channelOf(channelId);
    let started: StartResult;
    try {
      started = await channel.start(
        { env: this.env, origin },
        {
          orderId: row.id,
          merchantId: row.merchant_id,
          mode: row.mode,
          amount: row.amount,
          currency: row.currency,
          description: row.description,
          expiresAt: row.expires_at,
          attemptId: id,
          returnUrl: body.return_url,
        },
        body,
      );
    } catch (error) {
      // The channel's message may carry credentials or payer data: log only its kind.
      console.error('channel start failed', { order: row.id, attempt: id, channel: channelId, error: (error as Error)?.name });
      started = {
        channelRef: '',
        outcome: { status: 'failed', failure: { code: 'channel_error', message: 'The payment method is unavailable right now. Try again or choose another method.' } },
      };
    }
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        'UPDATE attempts SET channel_ref = ?, instrument = ? WHERE id = ?',
        started.channelRef || null,
        started.instrument ? JSON.stringify(started.instrument) : null,
        id,
      );
      this.applyOutcome(id, started.outcome);
    });
    await this.scheduleAlarm();
    return { ok: true, value: this.summary(context) };
  }

  // ---- channel notifications -----------------------------------------------------------

  /** Applies a verified channel notification; any number of times, in any order. */
  async applyNotification(note: VerifiedNotification): Promise<Result<{ applied: boolean }>> {
    const result = await asResult(() =>
      this.ctx.storage.transactionSync(() => {
        const row = this.order();
        const attempt = this.attempt(note.attemptId);
        if (!attempt || row.id !== note.orderId) throw new TillError('order_not_found', 'No such attempt on this order');
        if (note.amount !== attempt.amount || note.currency !== attempt.currency) {
          // A notification for another amount is not ours to apply; the channel will be queried.
          throw new TillError('invalid_parameter', 'notification amount does not match the attempt', 'amount');
        }
        const seen = this.sql.exec('SELECT 1 FROM channel_events WHERE event_id = ?', note.eventId).toArray().length > 0;
        if (seen) return { applied: false };
        this.sql.exec(
          'INSERT INTO channel_events (event_id, attempt_id, received_at) VALUES (?, ?, ?)',
          note.eventId,
          note.attemptId,
          now(),
        );
        return { applied: this.applyOutcome(note.attemptId, note.outcome) };
      }),
    );
    await this.scheduleAlarm();
    return result;
  }

  // ---- transitions (call only inside a transaction) ------------------------------------

  /** Moves an attempt to what the channel reported, and the order with it. Returns whether
   * anything changed: a stale or repeated outcome changes nothing. */
  private applyOutcome(attemptId: string, outcome: ChannelOutcome): boolean {
    const attempt = this.attempt(attemptId);
    if (!attempt) return false;
    const nextAction = outcome.status === 'requires_action' ? JSON.stringify(outcome.nextAction) : null;
    if (attempt.status === outcome.status) return false;
    if (!canTransitionAttempt(attempt.status, outcome.status)) return false;
    const failure = outcome.status === 'failed' ? JSON.stringify(outcome.failure) : null;
    this.sql.exec(
      'UPDATE attempts SET status = ?, next_action = ?, failure = ?, updated_at = ? WHERE id = ?',
      outcome.status,
      nextAction,
      failure,
      now(),
      attemptId,
    );

    const row = this.order();
    if (outcome.status === 'succeeded') {
      if (row.paid_attempt_id === null && canTransition(row.status, 'paid')) {
        const paidAt = now();
        const receipt = signReceipt(
          {
            iss: 'till',
            sub: row.id,
            mer: row.merchant_id,
            amt: row.amount,
            cur: row.currency,
            mode: row.mode,
            att: attemptId,
            ch: attempt.channel,
            paid_at: paidAt,
            iat: paidAt,
          },
          signingKeys(this.env).current,
        );
        this.setOrderStatus(row, 'paid', { paid_at: paidAt, paid_attempt_id: attemptId, receipt, last_failure: null });
      } else {
        // The shopper paid twice, or paid after the order closed: this money must go back.
        this.sql.exec('UPDATE attempts SET needs_refund = 1 WHERE id = ?', attemptId);
      }
      return true;
    }
    // Only the newest attempt speaks for the order; an older one was already superseded.
    if (this.latestAttempt()?.id !== attemptId) return true;
    const target = orderStatusForAttempt(outcome.status);
    if (target !== row.status && canTransition(row.status, target)) {
      this.setOrderStatus(row, target, outcome.status === 'failed' ? { last_failure: failure } : {});
    }
    return true;
  }

  private setOrderStatus(row: OrderRow, status: OrderStatus, fields: Partial<OrderRow> = {}): void {
    if (row.status !== status && !canTransition(row.status, status)) {
      throw new Error(`order transition ${row.status} → ${status} is not allowed`);
    }
    const changes: Partial<OrderRow> = { ...fields, status };
    const columns = Object.keys(changes);
    this.sql.exec(
      `UPDATE orders SET ${columns.map((column) => `${column} = ?`).join(', ')}, version = version + 1 WHERE id = ? AND version = ?`,
      ...columns.map((column) => changes[column] ?? null),
      row.id,
      row.version,
    );
    const event = EVENT_FOR_STATUS[status];
    if (event && row.status !== status) this.appendEvent(event);
  }

  /** Cancels attempts waiting on the shopper, so only the newest can move the order. */
  private supersedeActiveAttempts(): AttemptRow[] {
    const active = this.sql
      .exec<AttemptRow>("SELECT * FROM attempts WHERE status IN ('requires_action', 'processing')")
      .toArray()
      .filter((attempt) => attempt.status === 'requires_action');
    for (const attempt of active) {
      this.sql.exec("UPDATE attempts SET status = 'canceled', updated_at = ? WHERE id = ?", now(), attempt.id);
    }
    return active;
  }

  private appendEvent(type: WebhookEventType): void {
    const { client_token: _token, ...object } = this.view();
    const id = newEventId();
    const created = now();
    const body = JSON.stringify({ id, object: 'event', type, created, mode: object.mode, data: { object } });
    this.sql.exec(
      'INSERT INTO outbox (id, type, created_at, body, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
      id,
      type,
      created,
      body,
      created,
    );
  }

  // ---- outside transactions ------------------------------------------------------------

  private async closeAtChannels(attempts: AttemptRow[], origin: string): Promise<void> {
    const ctx: ChannelContext = { env: this.env, origin };
    for (const attempt of attempts) {
      if (!attempt.channel_ref || !isChannelId(attempt.channel)) continue;
      try {
        await channelOf(attempt.channel).cancel(ctx, attempt.channel_ref);
      } catch (error) {
        console.warn('closing a superseded attempt failed', { attempt: attempt.id, error: (error as Error)?.name });
      }
    }
  }

  private async scheduleAlarm(): Promise<void> {
    const row = this.findOrder();
    if (!row) return;
    const times = [nextDeliveryAt(this.sql)];
    if (!isTerminal(row.status)) times.push(row.expires_at);
    const next = Math.min(...times.filter((time): time is number => time !== null));
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(next * 1000);
  }

  override async alarm(): Promise<void> {
    const row = this.findOrder();
    if (!row) return;
    if (row.expires_at <= now() && canTransition(row.status, 'expired') && row.status !== 'authorized') {
      const superseded = this.ctx.storage.transactionSync(() => {
        const current = this.order();
        if (!canTransition(current.status, 'expired')) return [];
        this.setOrderStatus(current, 'expired');
        return this.supersedeActiveAttempts();
      });
      await this.closeAtChannels(superseded, '');
    }
    await deliverPendingEvents(this.env, this.sql, this.ctx.storage, row.merchant_id);
    await this.scheduleAlarm();
  }

  /** The order's outbox, oldest first (for the merchant's timeline and for tests). */
  async events(merchantId: string): Promise<Result<Array<Omit<OutboxRow, 'body'> & { event: unknown }>>> {
    return asResult(() => {
      this.ownedBy(merchantId);
      return this.sql
        .exec<OutboxRow>('SELECT * FROM outbox ORDER BY seq')
        .toArray()
        .map(({ body, ...rest }) => ({ ...rest, event: JSON.parse(body) }));
    });
  }
}
