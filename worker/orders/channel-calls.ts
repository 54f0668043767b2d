/**
 * The order object's calls to channels after the first one (start): query, capture, refund,
 * close. Each runs outside any transaction and turns a thrown error into "no answer", logged
 * as channelErrorLog allows; the caller retries.
 */
import { TillError } from '../../shared/errors.ts';
import { channelOf, isChannelId } from '../channels/registry.ts';
import type { Channel, ChannelContext, ChannelOutcome, RefundResult, TradeRef } from '../channels/types.ts';
import { type ChannelScope, channelContext } from './channel-scope.ts';
import type { AttemptRow, RefundRow } from './order-store.ts';

export const tradeRef = (attempt: AttemptRow): TradeRef => ({
  attemptId: attempt.id,
  channelRef: attempt.channel_ref,
  amount: attempt.amount,
  currency: attempt.currency,
});

async function withChannel<T>(
  scope: ChannelScope,
  attempt: AttemptRow,
  what: string,
  call: (channel: Channel, ctx: ChannelContext, trade: TradeRef) => Promise<T>,
): Promise<T | null> {
  if (!isChannelId(attempt.channel)) return null;
  try {
    return await call(
      channelOf(attempt.channel),
      await channelContext(scope, attempt.channel, attempt.origin),
      tradeRef(attempt),
    );
  } catch (error) {
    console.warn(`channel ${what} failed`, {
      attempt: attempt.id,
      channel: attempt.channel,
      ...channelErrorLog(error),
    });
    return null;
  }
}

/**
 * What a failed channel call may log. The adapters' own errors (TillError) are written to be
 * logged: the channel's codes, never keys, signatures or payer data, and they are what an operator
 * setting up a merchant's account needs to see. Anything else (a runtime error that may quote a
 * request) is logged by kind only.
 */
export function channelErrorLog(error: unknown): { error: string; code?: string; reason?: string } {
  if (error instanceof TillError) return { error: error.name, code: error.code, reason: error.message };
  return { error: (error as Error)?.name ?? typeof error };
}

export type QueryAnswer =
  | { kind: 'outcome'; outcome: ChannelOutcome | null }
  | { kind: 'no_trade' }
  | { kind: 'no_answer' };

export async function queryTrade(scope: ChannelScope, attempt: AttemptRow): Promise<QueryAnswer> {
  // "No such trade" is an answer (the channel never opened it), not a failed call.
  const answer = await withChannel(scope, attempt, 'query', (channel, ctx, trade) =>
    channel.query(ctx, trade).then(
      (outcome): QueryAnswer => ({ kind: 'outcome', outcome }),
      (error: unknown): QueryAnswer => {
        if (error instanceof TillError && error.code === 'channel_trade_not_found') return { kind: 'no_trade' };
        throw error;
      },
    ),
  );
  return answer ?? { kind: 'no_answer' };
}

export const captureTrade = (
  scope: ChannelScope,
  attempt: AttemptRow,
  amount: number,
): Promise<ChannelOutcome | null> =>
  withChannel(scope, attempt, 'capture', (channel, ctx, trade) => channel.capture(ctx, trade, amount));

export const refundTrade = (
  scope: ChannelScope,
  attempt: AttemptRow,
  refund: RefundRow,
): Promise<RefundResult | null> =>
  withChannel(scope, attempt, 'refund', (channel, ctx, trade) => channel.refund(ctx, trade, refund.amount, refund.id));

/** Closes the trade (or releases its authorization); true when the channel accepted. */
export async function closeTrade(scope: ChannelScope, attempt: AttemptRow): Promise<boolean> {
  const closed = await withChannel(scope, attempt, 'close', (channel, ctx, trade) =>
    channel.cancel(ctx, trade).then(() => true),
  );
  return closed === true;
}
