/**
 * The frame's only channel to the page that embeds it. Messages go to the host's exact origin,
 * never '*', so a page that framed us under another origin learns nothing.
 */
export type HostEventType =
  | 'ready'
  | 'resize'
  | 'method_selected'
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
export const hasHost = (hostOrigin: string | null): hostOrigin is string => window.parent !== window && hostOrigin !== null;

export function createHostBridge(hostOrigin: string | null): PostToHost {
  return (type, payload) => {
    if (!hasHost(hostOrigin)) return;
    window.parent.postMessage(payload === undefined ? { source: 'till', type } : { source: 'till', type, payload }, hostOrigin);
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
