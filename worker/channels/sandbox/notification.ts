/**
 * The sandbox's notification to Till, on its own: the processor sends it, the adapter parses it,
 * and tests and the benchmark (which run outside the worker) build and sign it the same way.
 */
import { z } from 'zod';
import { CurrencySchema, FailureSchema } from '../../../shared/schemas.ts';

export const SANDBOX_SIGNATURE_HEADER = 'Sandbox-Signature';

export const SandboxNotificationSchema = z.strictObject({
  event_id: z.string().min(1),
  order_id: z.string(),
  attempt_id: z.string(),
  amount: z.number().int(),
  currency: CurrencySchema,
  status: z.enum(['authorized', 'succeeded', 'failed', 'canceled']),
  failure: FailureSchema.nullable(),
});
export type SandboxNotification = z.infer<typeof SandboxNotificationSchema>;

/** What the sandbox tells Till about a trade that reached `status`. The processor sends it;
 * tests and the benchmark post it directly, signed the same way. */
export function sandboxNotification(
  trade: {
    orderId: string;
    attemptId: string;
    amount: number;
    /** What a capture took, when it took part of the authorization: the notice then names that. */
    captured?: number;
    currency: SandboxNotification['currency'];
  },
  status: SandboxNotification['status'],
  failure: SandboxNotification['failure'] = null,
  eventId = `sbx_${trade.attemptId}_${status}`,
): SandboxNotification {
  return {
    event_id: eventId,
    order_id: trade.orderId,
    attempt_id: trade.attemptId,
    amount: status === 'succeeded' && trade.captured !== undefined ? trade.captured : trade.amount,
    currency: trade.currency,
    status,
    failure,
  };
}
