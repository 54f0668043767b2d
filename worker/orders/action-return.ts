/**
 * The shopper is back from a processor's page (a 3-D Secure challenge): the processor is asked
 * what came of the attempt — with the return's parameters, which only it can judge (Adyen's
 * `redirectResult`) — and the answer applied as a notification's would be; then the shopper goes
 * on to where the attempt's checkout asked, checked as at the start.
 */
import { TillError } from '../../shared/errors.ts';
import { asResult, type Result } from '../base/result.ts';
import { channelOf, isChannelId } from '../channels/registry.ts';
import { checkReturnUrl } from './attempt-start.ts';
import { channelErrorLog, tradeRef } from './channel-calls.ts';
import { channelContext } from './channel-scope.ts';
import { channelScope, type OrderContext } from './order-context.ts';
import { applyChannelAnswer, queryAgainSoon } from './reconciliation.ts';

export interface ActionReturn {
  attemptId: string;
  /** What the processor appended to the way back. */
  params: Record<string, string>;
  to: string | null;
  origin: string;
  /** Origins `to` may point at: the worker's and the merchant's allowed ones. */
  returnOrigins: readonly string[];
}

/** Asks the attempt's processor, outside any transaction; null when it could not say (asked again later). */
async function askProcessor(o: OrderContext, attemptId: string, params: Record<string, string>) {
  const attempt = o.ledger.attempt(attemptId);
  if (!attempt || !isChannelId(attempt.channel)) return null;
  if (attempt.status !== 'requires_action' && attempt.status !== 'processing') return null;
  const channel = channelOf(attempt.channel);
  try {
    const ctx = await channelContext(channelScope(o), attempt.channel, attempt.origin);
    const trade = tradeRef(attempt);
    return channel.returned ? await channel.returned(ctx, trade, params) : await channel.query(ctx, trade);
  } catch (error) {
    console.warn('processor asked on return failed', { attempt: attemptId, ...channelErrorLog(error) });
    o.transaction(() => queryAgainSoon(o.ledger.attempts, attemptId));
    return null;
  }
}

/** Answers where the shopper goes next. */
export async function returnFromAction(o: OrderContext, input: ActionReturn): Promise<Result<string>> {
  const checked = await asResult(() => {
    const row = o.ledger.order();
    if (!o.ledger.attempt(input.attemptId)) throw new TillError('attempt_not_found', 'The order has no such attempt');
    const frame = `${input.origin}/v1/frame?order=${encodeURIComponent(row.id)}`;
    if (input.to === null) return frame;
    try {
      checkReturnUrl(input.to, row, input.returnOrigins);
      return input.to;
    } catch {
      // A link not made by this checkout: the shopper still lands on the checkout, never elsewhere.
      return frame;
    }
  });
  if (!checked.ok) return checked;
  const outcome = await askProcessor(o, input.attemptId, input.params);
  if (outcome) o.transaction(() => applyChannelAnswer(o, input.attemptId, outcome));
  return checked;
}
