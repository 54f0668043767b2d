import { isReturnUrl } from '../../shared/return-url.ts';
import { readLaunchFragment, writeLaunchFragment } from '../protocol/launch-fragment.ts';

/**
 * What the loader hands the frame: the order id in the query; the token, the host page's origin
 * and address, the locale, the merchant's return URL and the payer's WeChat openid in the
 * fragment. They are kept in sessionStorage because a 3-D Secure challenge sends the shopper
 * back to `/v1/frame?order=…` with no fragment.
 */
export interface LaunchParams {
  orderId: string;
  token: string;
  /** Where events may be posted; null when the frame is opened on its own. */
  hostOrigin: string | null;
  locale: string | null;
  /**
   * Where a wallet's cashier page (opened in the top window) brings the shopper back: the
   * merchant's `returnUrl` mount option, else the page that mounted the checkout.
   */
  returnUrl: string | null;
  /** The payer's openid for the merchant's WeChat AppID; WeChat Pay inside WeChat needs it. */
  openId: string | null;
  /** The merchant's `appearance` option, parsed but unchecked (appearance.ts checks it). */
  appearance: unknown;
  /** The host page has a native app's bridge (React Native, WKWebView, Android). */
  nativeHost: boolean;
  /**
   * Opened on its own in an Android app's webview (the app builds the frame's URL with
   * `#token=…&android=…`): the app's JavaScript interface for events. The loader never sends
   * it: an embedded frame's events reach the app through the loader.
   */
  androidInterface: string | null;
  /** False when the browser refuses storage to this frame (all cookies blocked). */
  storageWorks: boolean;
}

type Stored = Omit<LaunchParams, 'orderId' | 'storageWorks'>;

const launchKey = (orderId: string): string => `till:launch:${orderId}`;

function readStored(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string | null): boolean {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

/** Only a bare origin is a safe postMessage target; anything else is dropped. */
function asOrigin(value: string | null): string | null {
  if (!value) return null;
  try {
    const { origin } = new URL(value);
    return origin === value && origin !== 'null' ? origin : null;
  } catch {
    return null;
  }
}

const asHttpUrl = (value: string | null): string | null => (value && /^https?:\/\//i.test(value) ? value : null);
/** A merchant's return URL may be an app's deep link; what the API would refuse is dropped here. */
const asReturnUrl = (value: string | null): string | null => (value && isReturnUrl(value) ? value : null);

function parseJson(text: string | null): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

/** Reads the launch parameters from a fragment the loader (or `returnUrlFor`) wrote. */
export function fromFragment(hash: string): Stored | null {
  const read = readLaunchFragment(hash);
  const token = read('token');
  if (!token) return null;
  return {
    token,
    hostOrigin: asOrigin(read('origin')),
    locale: read('locale'),
    returnUrl: asReturnUrl(read('return_url')) ?? asHttpUrl(read('page')),
    openId: read('openid'),
    appearance: parseJson(read('appearance')),
    nativeHost: read('native') === '1',
    androidInterface: read('android'),
  };
}

/** Returns null when the frame has no order or no token: the session cannot go on. */
export function readLaunchParams(): LaunchParams | null {
  const orderId = new URLSearchParams(location.search).get('order');
  if (!orderId) return null;
  let launch = fromFragment(location.hash);
  let storageWorks = true;
  if (launch) {
    storageWorks = store(launchKey(orderId), JSON.stringify(launch));
    // Keep the token out of the address the shopper might copy or a later page might read.
    history.replaceState(history.state, '', location.pathname + location.search);
  } else {
    try {
      launch = JSON.parse(readStored(launchKey(orderId)) ?? 'null') as Stored | null;
    } catch {
      launch = null;
    }
  }
  return launch?.token ? { ...launch, hostOrigin: asOrigin(launch.hostOrigin), orderId, storageWorks } : null;
}

/**
 * Where a challenge brings the shopper back into this frame. When storage is refused, the launch
 * parameters ride along in the fragment instead, as the only way to survive the round trip.
 */
export function returnUrlFor(params: LaunchParams): string {
  const base = `${location.origin}/v1/frame?order=${encodeURIComponent(params.orderId)}`;
  if (params.storageWorks) return base;
  const fragment = writeLaunchFragment({
    token: params.token,
    origin: params.hostOrigin,
    locale: params.locale,
    return_url: params.returnUrl,
    openid: params.openId,
    appearance: params.appearance ? JSON.stringify(params.appearance) : null,
    native: params.nativeHost ? '1' : null,
    android: params.androidInterface,
  });
  return `${base}#${fragment}`;
}

/** Marks that the shopper left for a challenge or a cashier page, so the outcome on return is news to the host. */
export function rememberPendingReturn(orderId: string, pending: boolean): void {
  store(`till:pending:${orderId}`, pending ? '1' : null);
}

export function takePendingReturn(orderId: string): boolean {
  const pending = readStored(`till:pending:${orderId}`) === '1';
  if (pending) rememberPendingReturn(orderId, false);
  return pending;
}
