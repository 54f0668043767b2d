/** What the checkout frame tells the page that embeds it. */
export interface TillEvent {
  type: string;
  payload?: Record<string, unknown>;
}

export type TillEventListener = (event: TillEvent) => void;

/** The only message shape the loader accepts from its frame. */
export function isTillMessage(data: unknown): data is TillEvent & { source: 'till' } {
  const message = data as Record<string, unknown> | null;
  // A plain object: postMessage clones it into this window, with this window's Object.
  return (
    message?.source === 'till' &&
    typeof message.type === 'string' &&
    (message.payload === undefined || (message.payload as object | null)?.constructor === Object)
  );
}

/** The page a `redirect` request may send the whole tab to: http(s) only, never `javascript:` and the like. */
export function redirectUrlOf(payload: Record<string, unknown> | undefined): string | null {
  const url = String(payload?.url);
  return /^https?:\/\//i.test(url) ? url : null;
}

/** Calls every listener even when one throws, and still surfaces the error in the console. */
export function callSafely(listener: TillEventListener, event: TillEvent): void {
  try {
    listener(event);
  } catch (error) {
    setTimeout(() => {
      throw error;
    });
  }
}

/** The Android JavaScript interface events go to when the app names none. */
export const ANDROID_INTERFACE = 'TillAndroid';

interface NativeBridge {
  postMessage(message: unknown): void;
}

/**
 * Inside a mobile app's webview the host page may have no JS listener at all, so events are
 * also handed to whichever native bridge the app exposes: React Native's, a WKWebView message
 * handler named `till`, or an Android JavaScript interface. With no event, only says whether
 * there is one.
 */
export function relayToNativeApp(event: TillEvent | null, androidInterface: string): boolean {
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
    const message = JSON.stringify({ source: 'till', ...event });
    try {
      bridge.postMessage(takesObjects ? JSON.parse(message) : message);
    } catch {
      // A broken bridge must not stop the checkout on the page itself.
    }
  }
  return found;
}
