/**
 * Alipay's asynchronous notifications (notify_type trade_status_sync): a form POST to the
 * notify URL, signed under the "V1" rule with Alipay's key. One kind of message says both that
 * a trade changed state and that a refund went through: a refund's carries out_biz_no (our
 * refund id), refund_fee and gmt_refund, and a full refund's says TRADE_CLOSED.
 */
import { z } from 'zod';
import { TillError } from '../../../shared/errors.ts';
import { MoneyError, parseDecimalString } from '../../../shared/money.ts';
import type { ChannelContext, RawNotification, VerifiedNotification } from '../types.ts';
import type { AlipayCredentials } from './credentials.ts';
import { formParams, verifyNotificationParams } from './protocol.ts';
import { outcomeOfStatus } from './trades.ts';

/** The fields Till reads; Alipay sends more (buyer, fund bills, …), all covered by the signature. */
const NotificationSchema = z.looseObject({
  notify_type: z.literal('trade_status_sync'),
  notify_id: z.string().min(1).max(128),
  app_id: z.string(),
  out_trade_no: z.string().min(1).max(64),
  trade_no: z.string().min(1).max(64),
  trade_status: z.enum(['WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED']),
  total_amount: z.string(),
  out_biz_no: z.string().min(1).max(64).optional(),
  refund_fee: z.string().optional(),
  gmt_refund: z.string().optional(),
});

/** Largest notification body read: a real one is 1–3 kB. */
const MAX_BODY_LENGTH = 64 * 1024;

export async function parseAlipayNotification(
  ctx: ChannelContext<AlipayCredentials>,
  raw: RawNotification,
): Promise<VerifiedNotification> {
  // Without the merchant's app for this mode nothing can be verified: treated as a bad signature.
  if (!ctx.credentials)
    throw new TillError(
      'invalid_signature',
      `Alipay notification for an order whose merchant has no Alipay app in ${ctx.mode} mode`,
    );
  if (raw.body.length > MAX_BODY_LENGTH) throw new TillError('invalid_signature', 'Alipay notification is too long');
  const params = formParams(new URLSearchParams(raw.body));
  if (!params) throw new TillError('invalid_signature', 'Alipay notification repeats a field');
  if (!(await verifyNotificationParams(params, ctx.credentials.alipay_public_key))) {
    throw new TillError('invalid_signature', 'Alipay notification signature does not verify with alipay_public_key');
  }
  // Alipay signs every app's notifications with the same key: the app id says whose it is.
  if (params.app_id !== ctx.credentials.app_id)
    throw new TillError('invalid_signature', 'Alipay notification for another Alipay app');

  const parsed = NotificationSchema.safeParse(params);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') ?? 'body';
    throw new TillError('invalid_parameter', `Alipay notification has an unexpected ${field}`);
  }
  const note = parsed.data;
  const base = { orderId: raw.orderId, attemptId: note.out_trade_no };

  if (note.out_biz_no !== undefined || note.refund_fee !== undefined || note.gmt_refund !== undefined) {
    // News of a refund (a full one also closes the trade): never a payment outcome.
    if (note.out_biz_no === undefined)
      throw new TillError('invalid_parameter', 'Alipay refund notification has no out_biz_no');
    return {
      kind: 'refund',
      ...base,
      refundId: note.out_biz_no,
      eventId: `${note.notify_id}:refund:${note.out_biz_no}`,
      result: { status: 'succeeded', channelRef: note.trade_no },
    };
  }

  let amount: number;
  try {
    amount = parseDecimalString(note.total_amount, 'CNY');
  } catch (error) {
    if (error instanceof MoneyError)
      throw new TillError('invalid_parameter', `Alipay notification total_amount: ${error.message}`);
    throw error;
  }
  return {
    kind: 'payment',
    ...base,
    // Alipay resends one notification with the same notify_id and gives each state change a new
    // one; the status is kept in the id as well, so two changes never share an id.
    eventId: `${note.notify_id}:${note.trade_status}`,
    amount,
    currency: 'CNY',
    // WAIT_BUYER_PAY (sent once a code is scanned, where the app asks for it) is no news: the
    // payer may still pay, so the QR code stays and the shopper may still switch method.
    outcome: outcomeOfStatus(note.trade_status),
  };
}
