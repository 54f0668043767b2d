/**
 * The checkout's state and the shopper's actions. Components only render what this returns;
 * every backend call, event to the host and navigation starts here (the `change` events in the
 * hook it uses, use-change-events.ts).
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { CheckoutSummary, PaymentMethod } from '../../shared/schemas.ts';
import { type CardDetails, getCheckout, liveUrl, serverNow, startAttempt } from './checkout-api.ts';
import { asProblem, isFatal, type Problem } from './checkout-problem.ts';
import { hasHost, type PostToHost } from './host-bridge.ts';
import { useI18n } from './i18n.ts';
import { type LaunchParams, rememberPendingReturn, returnUrlFor, takePendingReturn } from './launch-params.ts';
import { walletFlowsChunk } from './lazy-chunks.ts';
import { followCheckout, isSettled, isStale } from './live-updates.ts';
import { eventsFor } from './order-events.ts';
import {
  failureOf,
  isAwaitingOutcome,
  NO_SCREEN_STATE,
  type Screen,
  screenFor,
  toMillis,
  usableMethods,
} from './order-screen.ts';
import { detectShopperContext } from './shopper-context.ts';
import { useChangeEvents } from './use-change-events.ts';

export type CheckoutView =
  | { kind: 'loading' }
  | { kind: 'load_error'; problem: Problem }
  | (Screen & { summary: CheckoutSummary });

/** Tallest of the standard 3-D Secure challenge window sizes that fit in a page (500 × 600). */
const CHALLENGE_HEIGHT = 600;

export function useCheckout(params: LaunchParams, post: PostToHost, firstCheckout: Promise<CheckoutSummary> | null) {
  const { orderId, token, hostOrigin, openId } = params;
  const { t, locale } = useI18n();
  /** Used once: a retry or a later look asks again. */
  const prefetched = useRef(firstCheckout);
  // Read when `ready` goes out; a ref, so a language change does not make the checkout reload.
  const localeRef = useRef(locale);
  localeRef.current = locale;
  const [summary, setSummary] = useState<CheckoutSummary | null>(null);
  const [loadProblem, setLoadProblem] = useState<Problem | null>(null);
  const [selected, setSelected] = useState<PaymentMethod | null>(null);
  const [submitting, setSubmitting] = useState(false);
  /** An inline message above the Pay button: a decline or a refused request. */
  const [notice, setNotice] = useState<Problem | null>(null);
  const [dismissedAttemptId, setDismissedAttemptId] = useState<string | null>(null);
  const [handedOffAttemptId, setHandedOffAttemptId] = useState<string | null>(null);
  const [returned, setReturned] = useState(false);
  /**
   * WeChat's payment sheet is up (or asked for). Kept apart from `submitting` so that a sheet
   * that never answers blocks no other way to pay.
   */
  const [sheetOpen, setSheetOpen] = useState(false);
  const summaryRef = useRef<CheckoutSummary | null>(null);
  const lastOffered = useRef<PaymentMethod[]>([]);
  /**
   * A cashier page that refuses frames opens in the top window, which the loader navigates, and
   * comes back to this URL; null when the frame is on its own.
   */
  const hostReturnUrl = hasHost(hostOrigin) ? params.returnUrl : null;
  const viaHost = hostReturnUrl !== null;

  const apply = useCallback(
    (next: CheckoutSummary, fresh: boolean) => {
      const previous = summaryRef.current;
      // A poll or push answered late must not undo what is shown (a settled outcome, a new attempt).
      if (isStale(previous, next)) return;
      summaryRef.current = next;
      for (const event of eventsFor(previous, next, fresh, localeRef.current)) post(event);
      const failure = failureOf(next);
      if (next.order.status === 'open' && failure && (fresh || isAwaitingOutcome(previous))) setNotice(failure);
      setSelected((current) => current ?? usableMethods(next.methods, openId)[0] ?? null);
      setSummary(next);
    },
    [post, openId],
  );

  const fail = useCallback(
    (error: unknown) => {
      const problem = asProblem(error);
      // The host gets a message even when the shopper sees the frame's own translated text.
      post({ type: 'error', payload: { code: problem.code, message: problem.message || problem.code } });
      return problem;
    },
    [post],
  );

  const load = useCallback(async () => {
    setLoadProblem(null);
    try {
      const pending = prefetched.current;
      prefetched.current = null;
      const next = await (pending ?? getCheckout(orderId, token, detectShopperContext()));
      // Back from a challenge or a cashier page: whatever happened there is news to the host.
      const back = takePendingReturn(orderId);
      if (back) setReturned(true);
      apply(next, back);
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
    const delay = Math.min(Math.max(openUntil - serverNow() + 1000, 0), 2 ** 31 - 1);
    const timer = setTimeout(() => void load(), delay);
    return () => clearTimeout(timer);
  }, [openUntil, load]);

  const select = useCallback(
    (method: PaymentMethod) => {
      setSelected(method);
      setNotice(null);
      post({ type: 'method_selected', payload: { channel: method.channel, method: method.method } });
    },
    [post],
  );

  const cardChanged = useChangeEvents(selected, post);

  /** Leaves the frame for a challenge page, which brings the shopper back here. */
  const goTo = useCallback(
    (url: string) => {
      rememberPendingReturn(orderId, true);
      // That page cannot tell the host its height; bank challenges need about 600 px.
      post({ type: 'resize', payload: { height: Math.max(document.documentElement.scrollHeight, CHALLENGE_HEIGHT) } });
      location.assign(url);
    },
    [orderId, post],
  );

  /** Opens a wallet's cashier page, which brings the shopper back to the merchant's page (or here). */
  const leave = useCallback(
    (attemptId: string, url: string) => {
      rememberPendingReturn(orderId, true);
      setHandedOffAttemptId(attemptId);
      if (viaHost) post({ type: 'redirect', payload: { url } });
      else location.assign(url);
    },
    [orderId, post, viaHost],
  );

  const payInWechat = useCallback(
    async (attemptId: string, wechatParams: Record<string, string>) => {
      setSheetOpen(true);
      // Null when the wallet flows could not load.
      const result = await walletFlowsChunk.load().then(
        ({ payWithWechat }) => payWithWechat(wechatParams, hostOrigin, post),
        () => null,
      );
      setSheetOpen(false);
      // The shopper may have moved on (another method, a new attempt) while the sheet was open.
      if (summaryRef.current?.attempt?.id !== attemptId) return;
      if (result === 'ok') return setHandedOffAttemptId(attemptId);
      // Back to the choice of method: a new attempt replaces this one at the backend.
      setDismissedAttemptId(attemptId);
      setNotice(
        result === 'cancel'
          ? { code: 'wechat_pay_canceled', message: t('wechatCanceled'), gentle: true }
          : { code: 'wechat_pay_failed', message: result ? t('wechatFailed') : '' },
      );
    },
    [hostOrigin, post, t],
  );

  /**
   * Takes the shopper on from a waiting screen: to the challenge, the cashier page or WeChat's
   * sheet. Under a merchant's page a bank's challenge opens in the top window, as a cashier does:
   * the page's own policy may not let its frame go to the bank's site, nor the bank let itself be
   * framed; it comes back to the merchant's page, which shows the outcome.
   */
  const proceed = useCallback(
    (attemptId: string, screen: Screen) => {
      if (screen.kind === 'action') {
        if (viaHost) leave(attemptId, screen.url);
        else goTo(screen.url);
      }
      if (screen.kind === 'redirect') leave(attemptId, screen.url);
      if (screen.kind === 'wallet') void payInWechat(attemptId, screen.params);
    },
    [goTo, leave, payInWechat, viaHost],
  );

  const start = useCallback(
    async (method: PaymentMethod | null, card?: CardDetails) => {
      if (!method || submitting) return;
      setSubmitting(true);
      setNotice(null);
      setReturned(false);
      // A QR code is paid on another device and WeChat's sheet opens over this page: neither
      // comes back by URL. A cashier page or a bank's challenge returns to the merchant's page when embedded.
      const leavesPage = method.kind === 'redirect' || method.kind === 'card';
      const returnUrl = leavesPage && hostReturnUrl !== null ? hostReturnUrl : returnUrlFor(params);
      try {
        const next = await startAttempt(
          orderId,
          token,
          {
            channel: method.channel,
            method: method.method,
            ...(method.kind === 'qr' || method.kind === 'jsapi' ? {} : { return_url: returnUrl }),
            ...(method.kind === 'jsapi' && openId ? { openid: openId } : {}),
            ...(card ? { card } : {}),
          },
          detectShopperContext(),
        );
        setDismissedAttemptId(null);
        apply(next, true);
        const screen = screenFor(next, NO_SCREEN_STATE);
        proceed(next.attempt?.id ?? '', screen);
        // Stay busy while a challenge page unloads this one.
        if (screen.kind === 'action') return;
      } catch (error) {
        setNotice(fail(error));
        if (isFatal(error)) setLoadProblem(asProblem(error));
      }
      setSubmitting(false);
    },
    [submitting, orderId, token, params, openId, hostReturnUrl, apply, fail, proceed],
  );

  const pay = useCallback((card?: CardDetails) => start(selected, card), [start, selected]);

  /** A new QR code with the method of the one that expired. */
  const renewCode = useCallback(() => {
    const attempt = summaryRef.current?.attempt;
    if (attempt) void start({ channel: attempt.channel, method: attempt.method, kind: 'qr', label: '' });
  }, [start]);

  const chooseAnotherMethod = useCallback(() => {
    setDismissedAttemptId(summaryRef.current?.attempt?.id ?? null);
    setNotice(null);
  }, []);

  let view: CheckoutView = { kind: 'loading' };
  if (loadProblem) view = { kind: 'load_error', problem: loadProblem };
  else if (summary) {
    const state = { dismissedAttemptId, handedOffAttemptId, returned, starting: submitting };
    view = { ...screenFor(summary, state), summary };
  }

  // While this frame starts an attempt the order is processing and offers no method: the form
  // stays with the ones it was chosen from (screenFor keeps the pay screen), so nothing is retyped.
  const offered = summary ? usableMethods(summary.methods, openId) : [];
  if (offered.length > 0) lastOffered.current = offered;
  return {
    view,
    methods: submitting && offered.length === 0 ? lastOffered.current : offered,
    selected,
    select,
    cardChanged,
    submitting: submitting || (sheetOpen && view.kind === 'wallet'),
    notice,
    pay,
    renewCode,
    retry: load,
    proceed: () => 'summary' in view && proceed(view.summary.attempt?.id ?? '', view),
    chooseAnotherMethod,
  };
}
