/**
 * The checkout's state and the shopper's actions. Components only render what this returns;
 * every backend call, event to the host and navigation starts here.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { CheckoutSummary, PaymentMethod } from '../../shared/schemas.ts';
import { CheckoutApiError, getCheckout, liveUrl, startAttempt, type CardDetails } from './checkout-api.ts';
import type { PostToHost } from './host-bridge.ts';
import { rememberPendingReturn, returnUrlFor, takePendingReturn, type LaunchParams } from './launch-params.ts';
import { eventsFor } from './order-events.ts';
import { failureOf, isAwaitingOutcome, screenFor, type Screen } from './order-screen.ts';
import { followCheckout, isSettled } from './live-updates.ts';
import { detectShopperContext } from './shopper-context.ts';

export interface Problem {
  code: string;
  /** Empty when the server gave none; the UI then shows its own text. */
  message: string;
}

export type CheckoutView =
  | { kind: 'loading' }
  | { kind: 'load_error'; problem: Problem }
  | (Screen & { summary: CheckoutSummary });

const asProblem = (error: unknown): Problem =>
  error instanceof CheckoutApiError ? { code: error.code, message: error.message } : { code: 'unexpected', message: '' };

/** These mean the session itself is over; polling or retrying cannot fix them. */
const isFatal = (error: unknown): boolean => error instanceof CheckoutApiError && [401, 403, 404].includes(error.status);

/** Tallest of the standard 3-D Secure challenge window sizes that fit in a page (500 × 600). */
const CHALLENGE_HEIGHT = 600;

/** Expiry times may come as Unix seconds or milliseconds; both are read as milliseconds. */
const toMillis = (time: number): number => (time < 1e12 ? time * 1000 : time);

export function useCheckout(params: LaunchParams, post: PostToHost) {
  const { orderId, token } = params;
  const [summary, setSummary] = useState<CheckoutSummary | null>(null);
  const [loadProblem, setLoadProblem] = useState<Problem | null>(null);
  const [selected, setSelected] = useState<PaymentMethod | null>(null);
  const [submitting, setSubmitting] = useState(false);
  /** An inline message above the Pay button: a decline or a refused request. */
  const [notice, setNotice] = useState<Problem | null>(null);
  const [dismissedAttemptId, setDismissedAttemptId] = useState<string | null>(null);
  const summaryRef = useRef<CheckoutSummary | null>(null);

  const apply = useCallback(
    (next: CheckoutSummary, fresh: boolean) => {
      const previous = summaryRef.current;
      // A poll answered late must not undo a settled outcome the socket already brought.
      if (previous && isSettled(previous) && !isSettled(next)) return;
      summaryRef.current = next;
      for (const [type, payload] of eventsFor(previous, next, fresh)) post(type, payload);
      const failure = failureOf(next);
      if (next.order.status === 'open' && failure && (fresh || isAwaitingOutcome(previous))) setNotice(failure);
      setSelected((current) => current ?? next.methods[0] ?? null);
      setSummary(next);
    },
    [post],
  );

  const fail = useCallback(
    (error: unknown) => {
      const problem = asProblem(error);
      // The host gets a message even when the shopper sees the frame's own translated text.
      post('error', { code: problem.code, message: problem.message || problem.code });
      return problem;
    },
    [post],
  );

  const load = useCallback(async () => {
    setLoadProblem(null);
    try {
      apply(await getCheckout(orderId, token, detectShopperContext()), takePendingReturn(orderId));
    } catch (error) {
      setLoadProblem(fail(error));
    }
  }, [apply, fail, orderId, token]);

  useEffect(() => void load(), [load]);

  // Hear what happens elsewhere (a phone scanning the QR code, a bank's notice, the merchant
  // canceling) as it happens, until the outcome is settled.
  const following = summary !== null && !isSettled(summary) && !loadProblem;
  useEffect(() => {
    if (!following) return;
    const context = detectShopperContext();
    return followCheckout({
      url: liveUrl(orderId, context),
      token,
      push: (next) => apply(next, false),
      poll: async () => {
        try {
          apply(await getCheckout(orderId, token, context), false);
        } catch (error) {
          if (isFatal(error)) setLoadProblem(fail(error));
        }
      },
      waiting: () => isAwaitingOutcome(summaryRef.current),
    });
  }, [following, apply, fail, orderId, token]);

  // An open order expires on its own; look again at that moment instead of polling all along.
  const openUntil = summary?.order.status === 'open' ? toMillis(summary.order.expires_at) : null;
  useEffect(() => {
    if (openUntil === null) return;
    const delay = Math.min(Math.max(openUntil - Date.now() + 1000, 0), 2 ** 31 - 1);
    const timer = setTimeout(() => void load(), delay);
    return () => clearTimeout(timer);
  }, [openUntil, load]);

  const select = useCallback(
    (method: PaymentMethod) => {
      setSelected(method);
      setNotice(null);
      post('method_selected', { channel: method.channel, method: method.method });
    },
    [post],
  );

  /** Leaves the frame for a challenge or redirect page, which brings the shopper back here. */
  const goTo = useCallback(
    (url: string) => {
      rememberPendingReturn(orderId, true);
      // That page cannot tell the host its height; bank challenges need about 600 px.
      post('resize', { height: Math.max(document.documentElement.scrollHeight, CHALLENGE_HEIGHT) });
      location.assign(url);
    },
    [orderId, post],
  );

  const pay = useCallback(
    async (card?: CardDetails) => {
      if (!selected || submitting) return;
      setSubmitting(true);
      setNotice(null);
      try {
        const next = await startAttempt(orderId, token, {
          channel: selected.channel,
          method: selected.method,
          // A QR code is paid on another device, so nothing comes back to this frame.
          ...(selected.kind === 'qr' ? {} : { return_url: returnUrlFor(params) }),
          ...(card ? { card } : {}),
        });
        setDismissedAttemptId(null);
        apply(next, true);
        const screen = screenFor(next, null);
        if (screen.kind === 'action') {
          goTo(screen.url);
          return; // Stay busy while the page unloads.
        }
      } catch (error) {
        setNotice(fail(error));
        if (isFatal(error)) setLoadProblem(asProblem(error));
      }
      setSubmitting(false);
    },
    [selected, submitting, orderId, token, params, apply, fail, goTo],
  );

  const chooseAnotherMethod = useCallback(() => {
    setDismissedAttemptId(summaryRef.current?.attempt?.id ?? null);
    setNotice(null);
  }, []);

  let view: CheckoutView = { kind: 'loading' };
  if (loadProblem) view = { kind: 'load_error', problem: loadProblem };
  else if (summary) view = { ...screenFor(summary, dismissedAttemptId), summary };

  return { view, selected, select, submitting, notice, pay, retry: load, goTo, chooseAnotherMethod };
}
