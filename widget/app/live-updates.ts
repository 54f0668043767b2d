/**
 * Keeps the checkout current until its outcome is settled. The order object pushes each change
 * over a WebSocket (`/v1/checkout/:id/live`); whenever that socket is not open (refused by a
 * proxy, blocked in a webview, dropped), the summary is polled with backoff — 2 s doubling to
 * 15 s, only while money may arrive, never while the page is hidden — and the socket is tried
 * again, 1 s doubling to 30 s. Returning to the page or to the network polls once at once: a
 * webview frozen in the background may have missed a push or kept a socket that silently died.
 * Returns the function that stops it all.
 */
import { isSettledForShopper } from '../../shared/order-model.ts';
import type { CheckoutSummary } from '../../shared/schemas.ts';

const POLL_FIRST_MS = 2000;
const POLL_MAX_MS = 15_000;
const SOCKET_FIRST_MS = 1000;
const SOCKET_MAX_MS = 30_000;
/** Keeps idle proxies and NATs from dropping the socket; the server answers without waking. */
const PING_MS = 30_000;

/** Nothing the shopper sees changes after these; the worker closes the socket too (live-status.ts). */
export const isSettled = (summary: CheckoutSummary): boolean => isSettledForShopper(summary.order.status);

/**
 * A summary older than the one shown: a poll or a push answered after the frame's own request
 * (the socket, polling and the attempt's answer race), or one that would undo a settled outcome.
 */
export const isStale = (shown: CheckoutSummary | null, next: CheckoutSummary): boolean =>
  shown !== null && (next.order.version < shown.order.version || (isSettled(shown) && !isSettled(next)));

export interface FollowOptions {
  url: string;
  token: string;
  /** Applies a summary the socket pushed. */
  push: (summary: CheckoutSummary) => void;
  /** Fetches and applies the summary. */
  poll: () => Promise<void>;
  /** Whether money may arrive without the shopper doing anything here, so polling is worth it. */
  waiting: () => boolean;
}

export function followCheckout({ url, token, push, poll, waiting }: FollowOptions): () => void {
  let socket: WebSocket | null = null;
  let open = false;
  let stopped = false;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let socketTimer: ReturnType<typeof setTimeout> | undefined;
  let pinger: ReturnType<typeof setInterval> | undefined;
  let pollDelay = POLL_FIRST_MS;
  let socketDelay = SOCKET_FIRST_MS;

  const pollOnce = (): void => void poll().catch(() => undefined);

  const tick = (): void => {
    pollTimer = undefined;
    if (stopped || open) return;
    if (waiting() && !document.hidden) pollOnce();
    pollDelay = Math.min(pollDelay * 2, POLL_MAX_MS);
    schedulePoll(pollDelay);
  };

  function schedulePoll(delay: number): void {
    if (!stopped && !open && !pollTimer) pollTimer = setTimeout(tick, delay);
  }

  const retry = (): void => {
    schedulePoll(pollDelay);
    if (stopped) return;
    socketTimer = setTimeout(connect, socketDelay);
    socketDelay = Math.min(socketDelay * 2, SOCKET_MAX_MS);
  };

  function connect(): void {
    clearTimeout(socketTimer);
    if (stopped || socket) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, ['till.v1', token]);
    } catch {
      retry();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      open = true;
      socketDelay = SOCKET_FIRST_MS;
      clearTimeout(pollTimer);
      pollTimer = undefined;
      pinger = setInterval(() => ws.send('ping'), PING_MS);
    };
    ws.onmessage = ({ data }) => {
      try {
        const summary = JSON.parse(data as string) as CheckoutSummary;
        if (summary.order) push(summary);
      } catch {
        // `pong`, or anything else that is not a summary
      }
    };
    ws.onclose = () => {
      clearInterval(pinger);
      socket = null;
      if (open) {
        // Whatever changed while the socket was going down is fetched now.
        open = false;
        pollDelay = POLL_FIRST_MS;
        schedulePoll(0);
      }
      retry();
    };
  }

  const wake = (): void => {
    if (stopped || document.hidden) return;
    pollOnce();
    connect();
  };

  document.addEventListener('visibilitychange', wake);
  addEventListener('online', wake);
  connect();
  schedulePoll(pollDelay);
  return () => {
    stopped = true;
    clearTimeout(pollTimer);
    clearTimeout(socketTimer);
    clearInterval(pinger);
    socket?.close();
    document.removeEventListener('visibilitychange', wake);
    removeEventListener('online', wake);
  };
}
