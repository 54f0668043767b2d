/**
 * One Durable Object per order: the only writer of the order, its attempts, refunds, outbox,
 * deliveries and notification log (each table through its own module: order-migrations.ts).
 *
 * Every state change is decided in one synchronous transaction guarded by the transition
 * table. Channel calls happen between transactions, never inside one, and their answers are
 * applied by another guarded transaction — so a notification that races a channel call, or two
 * shoppers' clicks, can never both win.
 */

import { DurableObject } from 'cloudflare:workers';
import type {
  ChannelNotification,
  CheckoutSummary,
  DeliveryAttempt,
  Order,
  OrderEventEntry,
  Refund,
  ShopperContext,
} from '../../shared/schemas.ts';
import type { ClientTokenClaims } from '../../shared/tokens.ts';
import type { Env } from '../base/env.ts';
import { asResult, type Result } from '../base/result.ts';
import { migrate } from '../base/sql-migrations.ts';
import type { ChannelId } from '../channels/registry.ts';
import { type ActionReturn, returnFromAction } from './action-return.ts';
import { AlarmClock, nextAlarmAt, runDueWork } from './alarm-plan.ts';
import { type StartAttemptInput, startAttempt } from './attempt-start.ts';
import { captureTrade, closeTrade } from './channel-calls.ts';
import { checkoutSummary, checkToken } from './checkout-view.ts';
import { attemptLog, timeline } from './delivery-store.ts';
import { cancelOrder } from './expiry.ts';
import { LiveStatus } from './live-status.ts';
import { NotificationLog } from './notification-log.ts';
import { type NotificationDelivery, type NotificationReceipt, receiveNotification } from './notifications.ts';
import { channelScope, type OrderContext, type OrderOwner, ownedBy } from './order-context.ts';
import { IndexSync } from './order-index.ts';
import { type CreateOrderInput, OrderLedger } from './order-ledger.ts';
import { ORDER_MIGRATIONS } from './order-migrations.ts';
import { type OrderRow, refundView } from './order-store.ts';
import { type RefundInput, refundOf, reserveRefund } from './refunds.ts';
import { applyCapture, claimCapture, processRefunds, voidOrder } from './settlement.ts';
import { queueRedelivery } from './webhook-delivery.ts';

export type { NotificationDelivery, OrderOwner, StartAttemptInput };

export class OrderObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly ledger: OrderLedger;
  /** The widgets' WebSockets (hibernatable): see live-status.ts. */
  private readonly live: LiveStatus;
  private readonly context: OrderContext;
  private readonly index: IndexSync;
  private readonly alarmClock: AlarmClock;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(ctx.storage, ORDER_MIGRATIONS);
    this.ledger = new OrderLedger(this.sql, env);
    this.live = new LiveStatus(ctx);
    this.context = {
      env,
      sql: this.sql,
      ledger: this.ledger,
      notifications: new NotificationLog(this.sql),
      transaction: (work) => this.transaction(work),
    };
    this.index = new IndexSync(this.context);
    this.alarmClock = new AlarmClock(ctx.storage);
  }

  private transaction<T>(work: () => T): T {
    return this.ledger.within((inside) => this.ctx.storage.transactionSync(inside), work);
  }

  /** Closes at their channels the attempts committed transactions canceled. */
  private async closeCanceledAttempts(): Promise<void> {
    // Reconciliation asks each of them again later, so a close that fails here is retried there.
    for (const attempt of this.ledger.takeToClose()) {
      if (attempt.channel_ref) await closeTrade(channelScope(this.context), attempt);
    }
  }

  /**
   * Runs after every change: the next alarm, the channel calls the change decided (closing
   * attempts, refunds), and the live push to open widgets. Never inside a transaction.
   */
  private async settle(): Promise<void> {
    await this.scheduleAlarm();
    // The shopper hears first; the channel calls below may take seconds.
    this.publish();
    try {
      await this.closeCanceledAttempts();
      await processRefunds(this.context);
    } finally {
      this.publish();
      // Refund calls and a final push (sockets to close) moved the next deadlines.
      await this.scheduleAlarm();
    }
  }

  /** Pushes the order's state to the widgets watching it (see live-status.ts). */
  private publish(): void {
    if (!this.ledger.findOrder()) return;
    this.live.publish((context) => checkoutSummary(this.ledger.order(), this.ledger.latestAttempt(), context));
  }

  private ownedBy(owner: OrderOwner): OrderRow {
    return ownedBy(this.ledger.order(), owner);
  }

  // ---- merchant API --------------------------------------------------------------------

  async create(input: CreateOrderInput): Promise<Result<{ order: Order; replayed: boolean }>> {
    const result = await asResult(() => {
      const replayed = this.transaction(() => this.ledger.createOnce(input));
      return { order: this.ledger.view(), replayed };
    });
    // In the index before the merchant hears of it, so a listing never misses a created order.
    await this.index.sync();
    await this.scheduleAlarm();
    return result;
  }

  async retrieve(owner: OrderOwner): Promise<Result<Order>> {
    return asResult(() => {
      this.ownedBy(owner);
      return this.ledger.view();
    });
  }

  async cancel(owner: OrderOwner): Promise<Result<Order>> {
    const result = await asResult(() => this.transaction(() => cancelOrder(this.context, this.ownedBy(owner))));
    if (!result.ok) return result;
    await this.settle();
    return { ok: true, value: this.ledger.view() };
  }

  /** Captures all or `amount` of the order's authorization; the channel is called between two guarded transactions. */
  async capture(owner: OrderOwner, amount?: number): Promise<Result<Order>> {
    const claimed = await asResult(() =>
      this.transaction(() => claimCapture(this.context, this.ownedBy(owner), amount)),
    );
    if (!claimed.ok) return claimed;
    const outcome = await captureTrade(channelScope(this.context), claimed.value.attempt, claimed.value.amount);
    const verdict = this.transaction(() => applyCapture(this.context, claimed.value, outcome));
    await this.settle();
    return verdict.ok ? { ok: true, value: this.ledger.view() } : verdict;
  }

  /** Releases the order's authorization; the channel is told after the order is voided. */
  async void(owner: OrderOwner): Promise<Result<Order>> {
    const result = await asResult(() => this.transaction(() => voidOrder(this.context, this.ownedBy(owner))));
    if (!result.ok) return result;
    await this.settle();
    return { ok: true, value: this.ledger.view() };
  }

  /** Reserves a refund in one guarded transaction; `settle` then asks the channel for it. */
  async createRefund(owner: OrderOwner, input: RefundInput): Promise<Result<{ refund: Refund; replayed: boolean }>> {
    const reserved = await asResult(() =>
      this.transaction(() => {
        const { refund, created } = reserveRefund(this.sql, this.ownedBy(owner), input);
        if (created) this.ledger.appendEvent('refund.created', { refund });
        return { id: refund.id, replayed: !created };
      }),
    );
    if (!reserved.ok) return reserved;
    await this.settle();
    const refund = refundView(refundOf(this.sql, reserved.value.id), this.ledger.order().id);
    return { ok: true, value: { refund, replayed: reserved.value.replayed } };
  }

  async refunds(owner: OrderOwner): Promise<Result<Refund[]>> {
    return asResult(() => {
      this.ownedBy(owner);
      return this.ledger.view().refunds;
    });
  }

  async refund(owner: OrderOwner, refundId: string): Promise<Result<Refund>> {
    return asResult(() => refundView(refundOf(this.sql, refundId), this.ownedBy(owner).id));
  }

  /** The order's merchant and mode, or null when there is no such order. */
  async owner(): Promise<OrderOwner | null> {
    const row = this.ledger.findOrder();
    return row ? { id: row.merchant_id, mode: row.mode } : null;
  }

  // ---- checkout API --------------------------------------------------------------------

  async checkout(claims: ClientTokenClaims, context: ShopperContext): Promise<Result<CheckoutSummary>> {
    return asResult(() => {
      checkToken(this.ledger.order(), claims);
      return checkoutSummary(this.ledger.order(), this.ledger.latestAttempt(), context);
    });
  }

  // ---- live checkout: the widget's WebSocket (live-status.ts) ---------------------------

  /** Accepts the widget's socket, which the worker authorized and forwarded (GET /v1/checkout/:id/live). */
  override async fetch(request: Request): Promise<Response> {
    const response = this.live.accept(request, ({ claims, context }) => {
      checkToken(this.ledger.order(), claims);
      return checkoutSummary(this.ledger.order(), this.ledger.latestAttempt(), context);
    });
    // The alarm closes the socket when its token expires.
    if (response.status === 101) await this.scheduleAlarm();
    return response;
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    this.live.message(ws, message);
  }

  override webSocketClose(ws: WebSocket): void {
    this.live.closed(ws);
  }

  override webSocketError(ws: WebSocket): void {
    this.live.errored(ws);
  }

  async startAttempt(input: StartAttemptInput): Promise<Result<CheckoutSummary>> {
    return startAttempt(this.context, input, {
      scheduleAlarm: () => this.scheduleAlarm(),
      closeCanceledAttempts: () => this.closeCanceledAttempts(),
      settle: () => this.settle(),
    });
  }

  /** The shopper is back from a processor's page: the processor is asked, then the shopper sent on. */
  async returnFromAction(input: ActionReturn): Promise<Result<string>> {
    try {
      return await returnFromAction(this.context, input);
    } finally {
      await this.settle();
    }
  }

  // ---- channel notifications (notifications.ts) ------------------------------------------

  /** A channel's notification about this order, as it arrived: verified, applied, logged. */
  async receiveNotification(
    channelId: ChannelId,
    delivery: NotificationDelivery,
  ): Promise<Result<NotificationReceipt>> {
    try {
      return await receiveNotification(this.context, channelId, delivery);
    } finally {
      await this.settle();
    }
  }

  /** The notifications channels sent about this order, oldest first, with what became of each. */
  async channelNotifications(owner: OrderOwner | 'operator'): Promise<Result<ChannelNotification[]>> {
    // The platform's operator reads any order's log (the admin API); a merchant only its own.
    return asResult(() => {
      const row = owner === 'operator' ? this.ledger.order() : this.ownedBy(owner);
      return this.context.notifications.list(row.id);
    });
  }

  // ---- alarm: expiry and webhook delivery ----------------------------------------------

  private async scheduleAlarm(): Promise<void> {
    await this.alarmClock.set(nextAlarmAt(this.context, [this.index.nextWriteAt(), this.live.nextDeadline()]));
  }

  override async alarm(): Promise<void> {
    await this.alarmClock.fired(
      () =>
        runDueWork(this.context, {
          storage: this.ctx.storage,
          live: this.live,
          index: this.index,
          publish: () => this.publish(),
          closeCanceledAttempts: () => this.closeCanceledAttempts(),
        }),
      () => this.scheduleAlarm(),
    );
  }

  /** The order's outbox, oldest first: the merchant's timeline with each event's deliveries. */
  async events(owner: OrderOwner): Promise<Result<OrderEventEntry[]>> {
    return asResult(() => {
      this.ownedBy(owner);
      return timeline(this.sql);
    });
  }

  /** Every attempt to deliver one of the order's events, oldest first. */
  async deliveryAttempts(owner: OrderOwner, eventId: string): Promise<Result<DeliveryAttempt[]>> {
    return asResult(() => {
      this.ownedBy(owner);
      return attemptLog(this.sql, eventId);
    });
  }

  /** Queues a fresh delivery of one event now (webhook-delivery.ts queueRedelivery). */
  async redeliver(owner: OrderOwner, eventId: string, endpointId: string | null): Promise<Result<OrderEventEntry>> {
    const result = await asResult(() =>
      queueRedelivery(this.env, this.ctx.storage, this.ownedBy(owner), eventId, endpointId),
    );
    await this.scheduleAlarm();
    return result;
  }
}
