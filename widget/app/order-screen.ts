/**
 * Which screen an order summary calls for. Pure, so the rules read in one place: the order's
 * status decides, and an attempt's next action refines the waiting states.
 */
import type { CheckoutSummary, Failure } from '../../shared/schemas.ts';

export type Screen =
  | { kind: 'pay' }
  | { kind: 'qr'; payload: string }
  | { kind: 'action'; url: string }
  | { kind: 'processing' }
  | { kind: 'paid' }
  | { kind: 'authorized' }
  | { kind: 'expired' }
  | { kind: 'canceled' }
  | { kind: 'failed'; failure: Failure | null };

/** Statuses in which money may still arrive without the shopper doing anything here. */
export const isAwaitingOutcome = (summary: CheckoutSummary | null): boolean =>
  summary?.order.status === 'requires_action' || summary?.order.status === 'processing';

/** Only http(s) URLs are followed or linked; anything else from the wire is ignored. */
export function safeHttpUrl(url: string): string | null {
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The failure to show for the latest attempt, if it failed. */
export function failureOf(summary: CheckoutSummary): Failure | null {
  const { attempt } = summary;
  if (attempt?.status === 'failed' && attempt.failure) return attempt.failure;
  return summary.last_failure;
}

/** `dismissedAttemptId`: the shopper chose another way to pay while this attempt waits. */
export function screenFor(summary: CheckoutSummary, dismissedAttemptId: string | null): Screen {
  switch (summary.order.status) {
    case 'paid':
    case 'authorized':
    case 'expired':
    case 'canceled':
      return { kind: summary.order.status };
    // A released authorization took no money: to the shopper it is a canceled payment.
    case 'voided':
      return { kind: 'canceled' };
    case 'failed':
      return { kind: 'failed', failure: failureOf(summary) };
    case 'open':
      return { kind: 'pay' };
    case 'requires_action':
    case 'processing': {
      const { attempt } = summary;
      if (attempt && attempt.id === dismissedAttemptId) return { kind: 'pay' };
      const action = attempt?.next_action;
      if (action?.type === 'qr') return { kind: 'qr', payload: action.payload };
      if (action?.type === 'three_ds' || action?.type === 'redirect') {
        const url = safeHttpUrl(action.url);
        if (url) return { kind: 'action', url };
      }
      return { kind: 'processing' };
    }
  }
}
