/**
 * One call to a channel to start an attempt, outside any transaction. A thrown error becomes a
 * failed attempt (`unanswered`: reconciliation asks the channel later); a card processor that is
 * down says so (`unavailable`), for the router to try the next one.
 */
import { TillError } from '../../shared/errors.ts';
import { now } from '../base/clock.ts';
import { ProcessorUnavailable } from '../channels/card/processor-errors.ts';
import type { CardForCall } from '../channels/card/vaulted-card.ts';
import { type ChannelId, channelOf } from '../channels/registry.ts';
import type { StartResult } from '../channels/types.ts';
import type { StartAttemptInput } from './attempt-start.ts';
import { channelErrorLog } from './channel-calls.ts';
import { type ChannelScope, channelContext } from './channel-scope.ts';
import type { OrderRow } from './order-store.ts';
import { TRADE_LIFETIME_SECONDS } from './reconciliation.ts';

const UNAVAILABLE = 'This payment method is not available for this order right now. Choose another method.';

/** What a start call gave: the channel's answer, or (`unanswered`) a failure Till made up because none came. */
export type StartAnswer = StartResult & {
  unanswered?: true;
  /** The processor was down (timeout, 5xx, network): another may take the card. */
  unavailable?: ProcessorUnavailable;
};

/** Calls the channel; a thrown error becomes a failed attempt that reconciliation asks about. */
export async function startAtChannel(
  scope: ChannelScope,
  channelId: ChannelId,
  row: OrderRow,
  attemptId: string,
  input: StartAttemptInput,
  card: CardForCall | undefined,
): Promise<StartAnswer> {
  try {
    return await channelOf(channelId).start(
      await channelContext(scope, channelId, input.origin),
      {
        orderId: row.id,
        merchantId: row.merchant_id,
        mode: row.mode,
        amount: row.amount,
        currency: row.currency,
        description: row.description,
        expiresAt: Math.min(row.expires_at, now() + TRADE_LIFETIME_SECONDS),
        captureMethod: row.capture_method,
        attemptId,
        returnUrl: input.body.return_url,
        shopper: { context: input.context, ip: input.ip, userAgent: input.userAgent },
        ...(card ? { card } : {}),
      },
      input.body,
    );
  } catch (error) {
    if (error instanceof TillError && error.code === 'channel_not_available') {
      // Refused before any call (no credentials for this mode, no payer IP for H5): nothing to ask about later.
      console.warn('channel not available', {
        order: row.id,
        attempt: attemptId,
        channel: channelId,
        reason: error.message,
      });
      return {
        channelRef: '',
        outcome: { status: 'failed', failure: { code: 'channel_not_available', message: UNAVAILABLE } },
      };
    }
    console.error('channel start failed', {
      order: row.id,
      attempt: attemptId,
      channel: channelId,
      ...channelErrorLog(error),
    });
    return {
      unanswered: true,
      ...(error instanceof ProcessorUnavailable ? { unavailable: error } : {}),
      channelRef: '',
      outcome: {
        status: 'failed',
        failure: {
          code: 'channel_error',
          message: 'The payment method is unavailable right now. Try again or choose another method.',
        },
      },
    };
  }
}
