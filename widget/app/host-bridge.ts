/**
 * The frame's only channel to the page that embeds it. Messages go to the host's exact origin,
 * never '*', so a page that framed us under another origin learns nothing.
 */
import { ANDROID_INTERFACE, relayToNativeApp } from '../loader/events.ts';

export type HostEventType =
  | 'ready'
  | 'resize'
  | 'method_selected'
  // The form's state: complete, empty, brand, first visible error; never what was typed.
  | 'change'
  | 'requires_action'
  | 'paid'
  | 'authorized'
  | 'failed'
  | 'canceled'
  | 'expired'
  | 'error'
  // Requests the loader carries out in the top window rather than events for the merchant.
  | 'redirect'
  | 'wechat_pay';

export type PostToHost = (type: HostEventType, payload?: Record<string, unknown>) => void;

/** Whether a loader on the host page can hear this frame (else the frame is on its own). */
export const hasHost = (hostOrigin: string | null): hostOrigin is string =>
  window.parent !== window && hostOrigin !== null;

/** What the loader tells the frame: only from the parent window, on the host's origin, in this shape. */
export function fromHost(
  event: Pick<MessageEvent, 'source' | 'origin' | 'data'>,
  parent: unknown,
  hostOrigin: string,
): Record<string, unknown> | null {
  const data = event.data as Record<string, unknown> | null;
  return event.source === parent &&
    event.origin === hostOrigin &&
    data?.source === 'till-host' &&
    typeof data.type === 'string'
    ? data
    : null;
}

/** Requests to the loader, meaningless to an app listening for events. */
const LOADER_REQUESTS: HostEventType[] = ['resize', 'redirect', 'wechat_pay'];

/**
 * Embedded, events go to the loader, which hands them on to the page and the app. Opened on its
 * own (an app's webview loading the frame's URL), the frame tells the app's bridge itself.
 */
export function createHostBridge(hostOrigin: string | null, androidInterface: string | null): PostToHost {
  return (type, payload) => {
    const event = payload === undefined ? { type } : { type, payload };
    if (hasHost(hostOrigin)) window.parent.postMessage({ source: 'till', ...event }, hostOrigin);
    else if (!LOADER_REQUESTS.includes(type)) relayToNativeApp(event, androidInterface || ANDROID_INTERFACE);
  };
}

/** Tells the host the content height whenever it changes, so the iframe never scrolls or clips. */
export function reportHeight(root: HTMLElement, post: PostToHost): void {
  let last = -1;
  const send = (): void => {
    const height = Math.ceil(root.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    post('resize', { height });
  };
  if (typeof ResizeObserver === 'function') new ResizeObserver(send).observe(root);
  else window.addEventListener('load', send);
  send();
}
