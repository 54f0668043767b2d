/**
 * What the shopper does at Alipay: scan the QR code (or log in at the cashier), which opens the
 * trade; pay it; or let it time out. Shared by the browser pages and the control endpoints.
 */

import { buildNotification, deliver } from './notify.ts';
import { type Params, signNotification } from './sdk.ts';
import { beijingNow, type FakeState, type Notification, type Trade } from './state.ts';

export type ShopperResult =
  | { ok: true; trade: Trade; notification: Notification | null }
  | { ok: false; status: number; message: string };

/** The shopper scanned / opened the cashier: Alipay creates the trade, waiting for payment. */
export function openTrade(trade: Trade): ShopperResult {
  if (trade.status === null) {
    if (trade.expiresAt !== null && trade.expiresAt <= Date.now())
      return { ok: false, status: 409, message: 'This payment has expired.' };
    trade.status = 'WAIT_BUYER_PAY';
    trade.createdAt = beijingNow();
  }
  return { ok: true, trade, notification: null };
}

/** The shopper pays: the trade succeeds and a notification is built (not yet delivered). */
export function payTrade(state: FakeState, trade: Trade): ShopperResult {
  const opened = openTrade(trade);
  if (!opened.ok) return opened;
  if (trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED')
    return { ok: false, status: 409, message: 'This payment is already made.' };
  if (trade.status === 'TRADE_CLOSED') return { ok: false, status: 409, message: 'This payment is closed.' };
  trade.status = 'TRADE_SUCCESS';
  trade.paidAt = beijingNow();
  return { ok: true, trade, notification: buildNotification(state, trade) };
}

/** The trade times out unpaid (as at its time_expire) or the buyer gives up: closed, and notified if it existed. */
export function timeOutTrade(state: FakeState, trade: Trade): ShopperResult {
  if (trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED')
    return { ok: false, status: 409, message: 'A paid trade does not time out.' };
  const existed = trade.status !== null;
  if (!existed) {
    // No trade yet: its QR code / cashier link stops working, as at its time_expire.
    trade.expiresAt = Date.now();
  } else if (trade.status !== 'TRADE_CLOSED') {
    trade.status = 'TRADE_CLOSED';
    trade.closedAt = beijingNow();
  }
  return { ok: true, trade, notification: existed ? buildNotification(state, trade) : null };
}

/** Pays and delivers the notification before answering, as a shopper's "Pay" does. */
export async function payAndNotify(state: FakeState, trade: Trade): Promise<ShopperResult> {
  const paid = payTrade(state, trade);
  if (paid.ok && paid.notification) await deliver(state, trade, paid.notification);
  return paid;
}

/** Where the browser goes after paying at the cashier: return_url with Alipay's signed return parameters. */
export function returnUrlOf(trade: Trade): string | null {
  if (!trade.returnUrl) return null;
  const fields: Params = {
    charset: 'utf-8',
    out_trade_no: trade.outTradeNo,
    method: trade.method === 'wap' ? 'alipay.trade.wap.pay.return' : 'alipay.trade.page.pay.return',
    total_amount: trade.totalAmount,
    trade_no: trade.tradeNo,
    auth_app_id: trade.appId,
    version: '1.0',
    app_id: trade.appId,
    seller_id: '2088000000000002',
    timestamp: beijingNow(),
  };
  const url = new URL(trade.returnUrl);
  for (const [key, value] of Object.entries(signNotification(fields))) url.searchParams.set(key, value);
  return url.toString();
}
