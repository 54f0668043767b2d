/**
 * Inside a mobile app's webview the host page may have no JS listener at all, so the checkout's
 * events are also handed to whichever native bridge the app exposes: React Native's, a WKWebView
 * message handler named `till`, or an Android JavaScript interface. The loader relays what its
 * frame sends; a frame opened on its own (no loader) relays its events itself.
 */
import { type CheckoutEvent, wrapForHost } from './messages.ts';

/** The Android JavaScript interface events go to when the app names none. */
export const ANDROID_INTERFACE = 'TillAndroid';

interface NativeBridge {
  postMessage(message: unknown): void;
}

/** Hands `event` to every bridge there is; with no event, only says whether there is one. */
export function relayToNativeApp(event: CheckoutEvent | null, androidInterface: string): boolean {
  const scope = window as unknown as Record<
    string,
    ({ messageHandlers?: Record<string, NativeBridge> } & NativeBridge) | undefined
  >;
  const bridges: [NativeBridge | undefined, boolean][] = [
    [scope.ReactNativeWebView, false],
    [scope.webkit?.messageHandlers?.till, true],
    [scope[androidInterface], false],
  ];
  let found = false;
  for (const [bridge, takesObjects] of bridges) {
    if (!bridge) continue;
    found = true;
    if (!event) continue;
    const message = JSON.stringify(wrapForHost(event));
    try {
      bridge.postMessage(takesObjects ? JSON.parse(message) : message);
    } catch {
      // A broken bridge must not stop the checkout on the page itself.
    }
  }
  return found;
}
