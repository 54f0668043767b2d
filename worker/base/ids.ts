/** Identifiers. Order ids derived from an idempotency key land every retry on the same object. */
import { bytesToBase62, randomBase62, sha256 } from '../../shared/encoding.ts';

export const newOrderId = (): string => `ord_${randomBase62(24)}`;
export const newAttemptId = (): string => `att_${randomBase62(20)}`;
export const newEventId = (): string => `evt_${randomBase62(24)}`;
export const newMerchantId = (): string => `mer_${randomBase62(16)}`;
export const newRequestId = (): string => `req_${randomBase62(16)}`;

/** The admin's retries of one merchant creation land on one merchant object. */
export async function merchantIdForIdempotencyKey(key: string): Promise<string> {
  return `mer_${bytesToBase62(await sha256(`merchant:${key}`), 16)}`;
}

export async function orderIdForIdempotencyKey(merchantId: string, key: string): Promise<string> {
  return `ord_${bytesToBase62(await sha256(`order:${merchantId}:${key}`), 24)}`;
}

export const newRefundId = (): string => `re_${randomBase62(24)}`;
export const newDisputeId = (): string => `dsp_${randomBase62(24)}`;

/** A retried refund request (same Idempotency-Key) names the same refund, so it is made once. */
export async function refundIdForIdempotencyKey(orderId: string, key: string): Promise<string> {
  return `re_${bytesToBase62(await sha256(`refund:${orderId}:${key}`), 24)}`;
}
