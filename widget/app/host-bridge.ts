/**
 * The frame's only channel to the page that embeds it. Messages go to the host's exact origin,
 * never '*', so a page that framed us under another origin learns nothing.
 */
import { type FrameMessage, isLoaderRequest, wrapForHost } from '../protocol/messages.ts';
import { ANDROID_INTERFACE, relayToNativeApp } from '../protocol/native-bridge.ts';

export type PostToHost = (message: FrameMessage) => void;

/** Whether a loader on the host page can hear this frame (else the frame is on its own). */
export const hasHost = (hostOrigin: string | null): hostOrigin is string =>
  window.parent !== window && hostOrigin !== null;

/**
 * Embedded, events go to the loader, which hands them on to the page and the app. Opened on its
 * own (an app's webview loading the frame's URL), the frame tells the app's bridge itself; the
 * loader's requests then mean nothing to anyone.
 */
export function createHostBridge(hostOrigin: string | null, androidInterface: string | null): PostToHost {
  return (message) => {
    if (hasHost(hostOrigin)) window.parent.postMessage(wrapForHost(message), hostOrigin);
    else if (!isLoaderRequest(message)) relayToNativeApp(message, androidInterface || ANDROID_INTERFACE);
  };
}

/** Tells the host the content height whenever it changes, so the iframe never scrolls or clips. */
export function reportHeight(root: HTMLElement, post: PostToHost): void {
  let last = -1;
  const send = (): void => {
    const height = Math.ceil(root.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    post({ type: 'resize', payload: { height } });
  };
  if (typeof ResizeObserver === 'function') new ResizeObserver(send).observe(root);
  else window.addEventListener('load', send);
  send();
}
