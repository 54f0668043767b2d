/**
 * Which screen an order summary calls for. Pure, so the rules read in one place: the order's
 * status decides, and an attempt's next action refines the waiting states.
 */
import type { CheckoutSummary, Failure, PaymentMethod } from '../../shared/schemas.ts';

export type Screen =
  | { kind: 'pay' }
  /** `expiresAt` in ms; `renewable`: the order outlives the code, so a new code can be had. */
  | { kind: 'qr'; payload: string; expiresAt: number | null; renewable: boolean }
  /** A card challenge, done inside the frame. */
  | { kind: 'action'; url: string }
  /** A wallet's cashier page, opened in the top window; `returned`: the shopper came back from it. */
  | { kind: 'redirect'; url: string; returned: boolean }
  /** On the way to that page. */
  | { kind: 'leaving'; url: string }
  /** WeChat Pay inside WeChat: the page asks WeChat to show its payment sheet. */
  | { kind: 'wallet'; params: Record<string, string> }
  | { kind: 'processing' }
  | { kind: 'paid' }
  | { kind: 'authorized' }
  | { kind: 'expired' }
  | { kind: 'canceled' }
  | { kind: 'failed'; failure: Failure | null };

/** What this frame knows beyond the summary. */
export interface ScreenState {
  /** The shopper chose another way to pay while this attempt waits. */
  dismissedAttemptId: string | null;
  /** This attempt was handed to the wallet: the cashier page is loading, or WeChat answered `ok`. */
  handedOffAttemptId: string | null;
  /** The frame was loaded again after the shopper left for a cashier page. */
  returned: boolean;
  /**
   * This frame is starting an attempt: while the processor is called the order says `processing`
   * (pushed live), and the card form stays, its Pay button busy, so a decline finds it as typed.
   */
  starting: boolean;
}

export const NO_SCREEN_STATE: ScreenState = {
  dismissedAttemptId: null,
  handedOffAttemptId: null,
  returned: false,
  starting: false,
};

/** Statuses in which money may still arrive without the shopper doing anything here. */
export const isAwaitingOutcome = (summary: CheckoutSummary | null): boolean =>
  summary?.order.status === 'requires_action' || summary?.order.status === 'processing';

/** Expiry times may come as Unix seconds or milliseconds; both are read as milliseconds. */
export const toMillis = (time: number): number => (time < 1e12 ? time * 1000 : time);

/** Only http(s) URLs are followed or linked; anything else from the wire is ignored. */
export function safeHttpUrl(url: string): string | null {
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** WeChat Pay inside WeChat needs the payer's openid, which only the merchant's page can get. */
export const usableMethods = (methods: PaymentMethod[], openId: string | null): PaymentMethod[] =>
  openId ? methods : methods.filter((method) => method.kind !== 'jsapi');

/** The failure to show for the latest attempt, if it failed. */
export function failureOf(summary: CheckoutSummary): Failure | null {
  const { attempt } = summary;
  if (attempt?.status === 'failed' && attempt.failure) return attempt.failure;
  return summary.last_failure;
}

export function screenFor(summary: CheckoutSummary, state: ScreenState): Screen {
  const { order, attempt } = summary;
  switch (order.status) {
    case 'paid':
    case 'authorized':
    case 'expired':
    case 'canceled':
      return { kind: order.status };
    // A released authorization took no money: to the shopper it is a canceled payment.
    case 'voided':
      return { kind: 'canceled' };
    case 'failed':
      return { kind: 'failed', failure: failureOf(summary) };
    case 'open':
      return { kind: 'pay' };
    case 'requires_action':
    case 'processing': {
      if (state.starting && (!attempt || attempt.status === 'pending')) return { kind: 'pay' };
      if (!attempt) return { kind: 'processing' };
      if (attempt.id === state.dismissedAttemptId) return { kind: 'pay' };
      const action = attempt.next_action;
      const handedOff = attempt.id === state.handedOffAttemptId;
      if (action?.type === 'qr') {
        const expiresAt = action.expires_at ? toMillis(action.expires_at) : null;
        return {
          kind: 'qr',
          payload: action.payload,
          expiresAt,
          renewable: expiresAt !== null && expiresAt < toMillis(order.expires_at),
        };
      }
      // WeChat's `ok` is no proof of payment: wait for the order to say so.
      if (action?.type === 'jsapi')
        return handedOff ? { kind: 'processing' } : { kind: 'wallet', params: action.params };
      const url = action?.type === 'three_ds' || action?.type === 'redirect' ? safeHttpUrl(action.url) : null;
      if (url && action?.type === 'three_ds') return { kind: 'action', url };
      if (url) return handedOff ? { kind: 'leaving', url } : { kind: 'redirect', url, returned: state.returned };
      return { kind: 'processing' };
    }
  }
}
