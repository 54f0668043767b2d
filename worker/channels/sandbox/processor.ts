/**
 * The sandbox's own side: one Durable Object per trade, standing where a real processor's
 * servers would. It keeps the trade, answers queries and refunds, and delivers signed
 * notifications to Till's notify endpoint, retrying until they are acknowledged.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Currency } from '../../../shared/money.ts';
import type { CaptureMethod } from '../../../shared/order-model.ts';
import type { Failure } from '../../../shared/schemas.ts';
import { signPayload } from '../../../shared/signature.ts';
import { now, nowMs } from '../../base/clock.ts';
import type { Env } from '../../base/env.ts';
import { dispatchToSelf } from '../../base/self-dispatch.ts';
import type { RefundResult } from '../types.ts';
import { SANDBOX_SIGNATURE_HEADER, sandboxNotification } from './notification.ts';

export type TradeStatus = 'requires_action' | 'authorized' | 'succeeded' | 'failed' | 'canceled';

export interface Trade {
  attemptId: string;
  orderId: string;
  kind: 'card' | 'qr';
  amount: number;
  currency: Currency;
  description: string;
  status: TradeStatus;
  failure: Failure | null;
  origin: string;
  returnUrl: string | null;
  captureMethod: CaptureMethod;
  /** What a manual capture took: all of the authorization or part of it (the rest is released). */
  captured?: number;
  refunded: number;
  /** Refunds by Till's refund id, so a repeated call never refunds twice. */
  refunds: Record<string, number>;
}

/** Seconds between notification retries, like a real channel's schedule compressed. */
const RETRY_DELAYS = [2, 10, 30, 120, 600, 1800, 3600];

export class SandboxProcessor extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS trade (
      attempt_id TEXT PRIMARY KEY, body TEXT NOT NULL,
      notify_pending INTEGER NOT NULL DEFAULT 0, notify_tries INTEGER NOT NULL DEFAULT 0)`);
  }

  getTrade(): Trade | null {
    const row = this.sql.exec<{ body: string }>('SELECT body FROM trade').toArray()[0];
    // Trades stored before capture and refund ids existed read as automatic, with no refunds.
    return row
      ? ({ captureMethod: 'automatic', refunds: {}, ...(JSON.parse(row.body) as Partial<Trade>) } as Trade)
      : null;
  }

  private save(trade: Trade, notify: boolean): void {
    this.sql.exec(
      `INSERT INTO trade (attempt_id, body, notify_pending, notify_tries) VALUES (?, ?, ?, 0)
       ON CONFLICT (attempt_id) DO UPDATE SET body = excluded.body,
         notify_pending = MAX(notify_pending, excluded.notify_pending), notify_tries = 0`,
      trade.attemptId,
      JSON.stringify(trade),
      notify ? 1 : 0,
    );
  }

  async createTrade(input: Omit<Trade, 'refunded' | 'refunds'>): Promise<Trade> {
    const existing = this.getTrade();
    if (existing) return existing;
    const trade: Trade = { ...input, refunded: 0, refunds: {} };
    const final = trade.status !== 'requires_action';
    this.save(trade, final);
    if (final) await this.ctx.storage.setAlarm(nowMs());
    return trade;
  }

  /** The shopper's answer on the scan or challenge page. */
  async complete(outcome: 'succeed' | 'fail'): Promise<Trade | null> {
    const trade = this.getTrade();
    if (trade?.status !== 'requires_action') return trade;
    const next: Trade =
      outcome === 'succeed'
        ? { ...trade, status: trade.captureMethod === 'manual' ? 'authorized' : 'succeeded' }
        : {
            ...trade,
            status: 'failed',
            failure:
              trade.kind === 'card'
                ? { code: 'authentication_failed', message: 'Card authentication failed.' }
                : { code: 'payment_declined', message: 'The payment was declined in the wallet.' },
          };
    this.save(next, true);
    await this.ctx.storage.setAlarm(nowMs());
    return next;
  }

  /** Closes an unpaid trade, or releases an authorization (a void). */
  async cancel(): Promise<void> {
    const trade = this.getTrade();
    if (!trade || (trade.status !== 'requires_action' && trade.status !== 'authorized')) return;
    this.save({ ...trade, status: 'canceled' }, true);
    await this.ctx.storage.setAlarm(nowMs());
  }

  /**
   * Captures all or part of an authorization, once, as card processors do: the part left is released.
   * The same capture asked again answers what it took; another amount is refused. Null: refused.
   */
  async capture(amount: number): Promise<number | null> {
    const trade = this.getTrade();
    if (trade?.status === 'succeeded') return (trade.captured ?? trade.amount) === amount ? amount : null;
    if (trade?.status !== 'authorized' || amount < 1 || amount > trade.amount) return null;
    this.save({ ...trade, status: 'succeeded', captured: amount }, true);
    await this.ctx.storage.setAlarm(nowMs());
    return amount;
  }

  refund(amount: number, refundId: string): RefundResult {
    const trade = this.getTrade();
    if (trade?.refunds[refundId] !== undefined) return { status: 'succeeded', channelRef: `sbx_re_${refundId}` };
    if (trade?.status !== 'succeeded' || trade.refunded + amount > (trade.captured ?? trade.amount)) {
      return { status: 'failed', channelRef: `sbx_re_${refundId}` };
    }
    this.save(
      { ...trade, refunded: trade.refunded + amount, refunds: { ...trade.refunds, [refundId]: amount } },
      false,
    );
    return { status: 'succeeded', channelRef: `sbx_re_${refundId}` };
  }

  override async alarm(): Promise<void> {
    const row = this.sql
      .exec<{ body: string; notify_pending: number; notify_tries: number }>('SELECT * FROM trade')
      .toArray()[0];
    if (!row?.notify_pending) return;
    const trade = JSON.parse(row.body) as Trade;
    if (trade.status === 'requires_action') return;
    const body = JSON.stringify(sandboxNotification(trade, trade.status, trade.failure));
    let acknowledged = false;
    try {
      const response = await dispatchToSelf(
        new Request(`${trade.origin}/v1/channels/sandbox/notify/${trade.orderId}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SANDBOX_SIGNATURE_HEADER]: await signPayload(body, this.env.SANDBOX_NOTIFY_SECRET, now()),
          },
          body,
        }),
        this.env,
      );
      acknowledged = response.ok && (await response.text()) === 'ok';
    } catch (error) {
      console.warn('sandbox notification failed', { attempt: trade.attemptId, error: String(error) });
    }
    if (acknowledged) {
      this.sql.exec('UPDATE trade SET notify_pending = 0');
      return;
    }
    const tries = row.notify_tries + 1;
    this.sql.exec('UPDATE trade SET notify_tries = ?', tries);
    const delay = RETRY_DELAYS[tries - 1];
    if (delay !== undefined) await this.ctx.storage.setAlarm(nowMs() + delay * 1000);
  }
}
