/**
 * A routed card attempt (`channel: 'card'`): the card goes to the first processor of its route;
 * when that one is down (a timeout, a 5xx, a network error) or declines for a reason another
 * processor may not share (`processing_error`, `try_again_later`), the same attempt goes to the
 * next, reusing the vaulted card. Never two live authorizations: a processor that may have run
 * the payment (a timeout) is told to cancel it, then asked, before the next starts; if it cannot
 * be shown to hold nothing, the router stops there. Each try is recorded for the merchant.
 */
import { retryableByRouter } from '../../shared/card-declines.ts';
import { TillError } from '../../shared/errors.ts';
import { now } from '../base/clock.ts';
import { recordAnswer } from '../channels/card/health.ts';
import { circuitKey } from '../channels/card/router.ts';
import type { CardForCall } from '../channels/card/vaulted-card.ts';
import { type ChannelId, channelOf } from '../channels/registry.ts';
import type { ChannelOutcome } from '../channels/types.ts';
import type { StartAttemptInput } from './attempt-start.ts';
import { channelErrorLog } from './channel-calls.ts';
import { channelContext } from './channel-scope.ts';
import { type StartAnswer, startAtChannel } from './channel-start.ts';
import { channelScope, type OrderContext } from './order-context.ts';
import type { OrderRow } from './order-store.ts';

/** Whether another processor may take the card after this answer. */
function failsOver(answer: StartAnswer): boolean {
  if (answer.unavailable) return true;
  const { outcome } = answer;
  return outcome.status === 'failed' && !answer.unanswered && retryableByRouter(outcome.failure.code);
}

/** What became of what a down processor may have done: nothing left, or the payment it took after all. */
type Aftermath = { leftNothing: true } | { leftNothing: false; taken?: ChannelOutcome };

/**
 * Cancels at the processor whatever the lost call may have made, then asks: canceled, failed or
 * never there is nothing left; a payment it took (too late to cancel) is this attempt's after all.
 */
async function settleLostCall(o: OrderContext, processor: ChannelId, row: OrderRow, attemptId: string, origin: string) {
  const channel = channelOf(processor);
  const trade = { attemptId, channelRef: null, amount: row.amount, currency: row.currency };
  try {
    const ctx = await channelContext(channelScope(o), processor, origin);
    await channel.cancel(ctx, trade);
    const outcome = await channel.query(ctx, trade).catch((error: unknown) => {
      if (error instanceof TillError && error.code === 'channel_trade_not_found')
        return { status: 'canceled' } as const;
      throw error;
    });
    if (outcome === null || outcome.status === 'canceled' || outcome.status === 'failed')
      return { leftNothing: true } as Aftermath;
    return { leftNothing: false, taken: outcome } as Aftermath;
  } catch (error) {
    console.warn('could not settle a lost processor call', {
      attempt: attemptId,
      processor,
      ...channelErrorLog(error),
    });
    return { leftNothing: false } as Aftermath;
  }
}

const resultOf = (answer: StartAnswer) => (answer.unavailable ? 'unavailable' : answer.outcome.status);

/** Starts the attempt at each processor of its route in turn until one answers for good. */
export async function startRouted(
  o: OrderContext,
  route: readonly ChannelId[],
  row: OrderRow,
  attemptId: string,
  input: StartAttemptInput,
  card: CardForCall | undefined,
): Promise<StartAnswer> {
  let answer: StartAnswer | null = null;
  for (const [index, processor] of route.entries()) {
    if (index > 0 && !o.transaction(() => o.ledger.attempts.switchProcessor(attemptId, processor, now()))) break;
    const startedAt = now();
    const body = { ...input.body, channel: processor };
    answer = await startAtChannel(channelScope(o), processor, row, attemptId, { ...input, body }, card);
    recordAnswer(circuitKey(processor, row.mode), answer.unavailable === undefined);
    const last = index === route.length - 1;
    let aftermath: Aftermath = { leftNothing: !answer.unavailable?.mayHaveRun };
    if (!last && failsOver(answer) && !aftermath.leftNothing) {
      aftermath = await settleLostCall(o, processor, row, attemptId, input.origin);
    }
    const settled = answer;
    o.transaction(() =>
      o.ledger.tries.record({
        attemptId,
        processor,
        startedAt,
        endedAt: now(),
        result: resultOf(settled),
        failureCode: settled.outcome.status === 'failed' ? settled.outcome.failure.code : null,
        channelRef: settled.channelRef || null,
        leftNothing: aftermath.leftNothing,
      }),
    );
    // The lost call took the payment after all: that is the attempt's outcome, and nobody else is asked.
    if (!aftermath.leftNothing && aftermath.taken) return { channelRef: '', outcome: aftermath.taken };
    if (last || !failsOver(answer) || !aftermath.leftNothing) return answer;
  }
  return answer ?? { unanswered: true, channelRef: '', outcome: { status: 'canceled' } };
}
