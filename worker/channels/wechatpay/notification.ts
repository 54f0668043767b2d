/**
 * Reads a WeChat Pay callback: the signature over the raw body first (by the WeChat key its
 * `Wechatpay-Serial` names), then the encrypted resource opened with the APIv3 key, then the
 * content checked against the merchant's own ids. Pure and clock-injected so node tests run the
 * published vectors; index.ts turns the result into Till's notification.
 */
import { z } from 'zod';
import { TillError } from '../../../shared/errors.ts';
import type { WechatpayCredentials } from './credentials.ts';
import { decryptResource, ResourceDecryptError } from './resource-crypto.ts';
import { verifyWechatpaySignature, WechatpaySignatureError } from './signature-check.ts';
import { type RefundStatus, RefundStatusSchema, type TradeState, TradeStateSchema } from './trade-state.ts';

const NotificationBodySchema = z.object({
  id: z.string().min(1).max(64),
  event_type: z.string(),
  resource_type: z.literal('encrypt-resource'),
  resource: z.object({
    algorithm: z.string(),
    ciphertext: z.string(),
    nonce: z.string(),
    associated_data: z.string().optional(),
    original_type: z.string().optional(),
  }),
});

const TransactionResourceSchema = z.object({
  mchid: z.string(),
  appid: z.string(),
  out_trade_no: z.string().min(1),
  transaction_id: z.string().optional(),
  trade_state: TradeStateSchema,
  trade_state_desc: z.string().optional(),
  amount: z.object({ total: z.number().int().nonnegative(), currency: z.string().optional() }),
});

const RefundResourceSchema = z.object({
  mchid: z.string(),
  out_trade_no: z.string().min(1),
  out_refund_no: z.string().min(1),
  refund_id: z.string().min(1),
  refund_status: RefundStatusSchema,
});

export type WechatpayNotice =
  | {
      kind: 'payment';
      eventId: string;
      attemptId: string;
      transactionId: string | null;
      tradeState: TradeState;
      tradeStateDesc: string | null;
      amount: number;
      currency: 'CNY';
    }
  | {
      kind: 'refund';
      eventId: string;
      attemptId: string;
      refundId: string;
      wechatRefundId: string;
      refundStatus: RefundStatus;
    };

const REFUND_EVENTS = new Set(['REFUND.SUCCESS', 'REFUND.ABNORMAL', 'REFUND.CLOSED']);

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new TillError('invalid_json', `WeChat Pay notification ${what} is not JSON`);
  }
}

function shaped<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  // The issue names the field; the value stays out of the message (it may be payer data).
  if (!parsed.success)
    throw new TillError(
      'invalid_parameter',
      `WeChat Pay notification ${what} has an unexpected shape at ${parsed.error.issues[0]?.path.join('.') ?? '?'}`,
    );
  return parsed.data;
}

/**
 * Verifies and reads one callback; `now` is Unix seconds. Throws TillError: `invalid_signature`
 * for a signature that fails, a probe, a resource that does not open with the APIv3 key, or a
 * message for another merchant; `invalid_json` / `invalid_parameter` for a malformed one.
 */
export async function readNotification(
  credentials: WechatpayCredentials,
  body: string,
  headers: Headers,
  now: number,
): Promise<WechatpayNotice> {
  try {
    await verifyWechatpaySignature(credentials.platform_keys, headers, body, now);
  } catch (error) {
    if (error instanceof WechatpaySignatureError)
      throw new TillError('invalid_signature', `WeChat Pay notification ${error.message}`);
    throw error;
  }
  const note = shaped(NotificationBodySchema, parseJson(body, 'body'), 'body');
  let plaintext: string;
  try {
    plaintext = await decryptResource(credentials.api_v3_key, note.resource);
  } catch (error) {
    if (error instanceof ResourceDecryptError)
      throw new TillError('invalid_signature', `WeChat Pay notification: ${error.message}`);
    throw error;
  }
  const resource = parseJson(plaintext, 'resource');

  if (note.event_type === 'TRANSACTION.SUCCESS') {
    const trade = shaped(TransactionResourceSchema, resource, 'resource');
    if (trade.mchid !== credentials.mchid || trade.appid !== credentials.appid) {
      throw new TillError('invalid_signature', 'WeChat Pay notification is for another merchant id or AppID');
    }
    if (trade.amount.currency !== undefined && trade.amount.currency !== 'CNY') {
      throw new TillError('invalid_parameter', 'WeChat Pay notification names a currency other than CNY', 'currency');
    }
    return {
      kind: 'payment',
      eventId: note.id,
      attemptId: trade.out_trade_no,
      transactionId: trade.transaction_id ?? null,
      tradeState: trade.trade_state,
      tradeStateDesc: trade.trade_state_desc ?? null,
      amount: trade.amount.total,
      currency: 'CNY',
    };
  }
  if (REFUND_EVENTS.has(note.event_type)) {
    const refund = shaped(RefundResourceSchema, resource, 'resource');
    if (refund.mchid !== credentials.mchid)
      throw new TillError('invalid_signature', 'WeChat Pay notification is for another merchant id');
    return {
      kind: 'refund',
      eventId: note.id,
      attemptId: refund.out_trade_no,
      refundId: refund.out_refund_no,
      wechatRefundId: refund.refund_id,
      refundStatus: refund.refund_status,
    };
  }
  throw new TillError(
    'invalid_parameter',
    `WeChat Pay notification event ${note.event_type.slice(0, 40)} is not one Till subscribes to`,
  );
}
