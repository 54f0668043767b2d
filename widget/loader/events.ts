/** What the checkout frame tells the page that embeds it. */
export interface TillEvent {
  type: string;
  payload?: Record<string, unknown>;
}

export type TillEventListener = (event: TillEvent) => void;

/** The only message shape the loader accepts from its frame. */
export function isTillMessage(data: unknown): data is TillEvent & { source: 'till' } {
  if (typeof data !== 'object' || data === null) return false;
  const { source, type, payload } = data as Record<string, unknown>;
  return (
    source === 'till' &&
    typeof type === 'string' &&
    (payload === undefined || (typeof payload === 'object' && payload !== null && !Array.isArray(payload)))
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

interface NativeBridges {
  ReactNativeWebView?: { postMessage(message: string): void };
  webkit?: { messageHandlers?: { till?: { postMessage(message: unknown): void } } };
  TillAndroid?: { postMessage(message: string): void };
}

/**
 * Inside a mobile app's webview the host page may have no JS listener at all, so events are
 * also handed to whichever native bridge the app exposes.
 */
export function relayToNativeApp(event: TillEvent): void {
  const bridges = window as unknown as NativeBridges;
  const message = JSON.stringify({ source: 'till', ...event });
  try {
    bridges.ReactNativeWebView?.postMessage(message);
    bridges.webkit?.messageHandlers?.till?.postMessage(JSON.parse(message));
    bridges.TillAndroid?.postMessage(message);
  } catch {
    // A broken bridge must not stop the checkout on the page itself.
  }
}
