/**
 * Alipay's asynchronous notifications (trade_status_sync): built from a trade's state, signed
 * under the V1 rule, and POSTed to the merchant's notify_url until it answers exactly `success`.
 */

import { type Params, signNotification } from './sdk.ts';
import { beijingNow, type FakeState, type Notification, randomDigits, type Trade, yuan } from './state.ts';

const SELLER_ID = '2088000000000002';
const BUYER_ID = '2088102000000001';

/** Gaps between delivery attempts: Alipay's are minutes to hours; a local fake's are short. */
const RETRY_GAPS_MS = [0, 250, 1000];

export const NOTIFY_HEADERS = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } as const;

/** A notification about the trade's current state; `refund` makes it the news of that refund. */
export function buildNotification(
  state: FakeState,
  trade: Trade,
  refund?: { outRequestNo: string; at: string },
): Notification | null {
  if (!trade.notifyUrl || trade.status === null) return null;
  const now = beijingNow();
  const paid = trade.paidAt !== null;
  const refunded = trade.refunds.reduce((sum, r) => sum + r.amount, 0);
  const fields: Params = {
    notify_time: now,
    notify_type: 'trade_status_sync',
    // A new id per notification; a redelivery of this one repeats it.
    notify_id: `${now.slice(0, 10).replaceAll('-', '')}00222${randomDigits(23)}`,
    app_id: trade.appId,
    auth_app_id: trade.appId,
    charset: 'utf-8',
    version: '1.0',
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    buyer_id: BUYER_ID,
    buyer_logon_id: 'buy***@example.com',
    seller_id: SELLER_ID,
    trade_status: trade.status,
    total_amount: trade.totalAmount,
    subject: trade.subject,
    gmt_create: trade.createdAt ?? now,
  };
  if (paid) {
    Object.assign(fields, {
      receipt_amount: trade.totalAmount,
      invoice_amount: trade.totalAmount,
      buyer_pay_amount: trade.totalAmount,
      point_amount: '0.00',
      gmt_payment: trade.paidAt,
      fund_bill_list: JSON.stringify([{ amount: trade.totalAmount, fundChannel: 'ALIPAYACCOUNT' }]),
    });
  }
  if (trade.closedAt) fields.gmt_close = trade.closedAt;
  if (refund) {
    Object.assign(fields, {
      out_biz_no: refund.outRequestNo,
      refund_fee: yuan(refunded),
      gmt_refund: `${refund.at}.000`,
      send_back_fee: yuan(refunded),
    });
  }
  // Alipay's own mistake, signed: only the content shows it.
  if (state.takeFault(['misstate_amount'], { outTradeNo: trade.outTradeNo, appId: trade.appId })) {
    fields.total_amount = yuan(trade.total + 1);
  }
  const form = signNotification(fields);
  if (state.takeFault(['tamper_amount'], { outTradeNo: trade.outTradeNo, appId: trade.appId })) {
    // Changed on the way, after Alipay signed it.
    form.total_amount = yuan(trade.total + 1);
  }
  const notification: Notification = {
    notifyUrl: trade.notifyUrl,
    form,
    body: new URLSearchParams(form).toString(),
    deliveries: [],
    dropped: false,
  };
  trade.notifications.push(notification);
  return notification;
}

/** Delivers a notification, retrying until the answer is exactly `success` (or the attempts run out). */
export async function deliver(state: FakeState, trade: Trade, notification: Notification): Promise<Notification> {
  if (state.takeFault(['drop_notification'], { outTradeNo: trade.outTradeNo, appId: trade.appId })) {
    notification.dropped = true;
    return notification;
  }
  for (const gap of RETRY_GAPS_MS) {
    if (gap) await new Promise((resolve) => setTimeout(resolve, gap));
    try {
      const response = await fetch(notification.notifyUrl, {
        method: 'POST',
        headers: NOTIFY_HEADERS,
        body: notification.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(5000),
      });
      const answer = await response.text();
      notification.deliveries.push({ status: response.status, answer: answer.slice(0, 200) });
      if (answer === 'success') break;
    } catch (error) {
      notification.deliveries.push({ status: null, answer: String((error as Error)?.message ?? error).slice(0, 200) });
    }
  }
  return notification;
}

/** The control endpoints' view of a notification: what to POST where. */
export const notificationView = (notification: Notification) => ({
  notify_url: notification.notifyUrl,
  body: notification.body,
  headers: NOTIFY_HEADERS,
  form: notification.form,
  deliveries: notification.deliveries,
  dropped: notification.dropped,
});
