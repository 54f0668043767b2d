/**
 * What the loader hands the frame: the order id in the query, the token, the host page's origin
 * and the locale in the fragment. They are kept in sessionStorage because a 3-D Secure challenge
 * sends the shopper back to `/v1/frame?order=…` with no fragment.
 */
export interface LaunchParams {
  orderId: string;
  token: string;
  /** Where events may be posted; null when the frame is opened on its own. */
  hostOrigin: string | null;
  locale: string | null;
  /** False when the browser refuses storage to this frame (all cookies blocked). */
  storageWorks: boolean;
}

const storageKey = (name: 'token' | 'origin' | 'locale', orderId: string): string => `till:${name}:${orderId}`;

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

/** Returns null when the frame has no order or no token: the session cannot go on. */
export function readLaunchParams(): LaunchParams | null {
  const orderId = new URLSearchParams(location.search).get('order');
  if (!orderId) return null;
  const fragment = new URLSearchParams(location.hash.slice(1));
  let token = fragment.get('token');
  let hostOrigin = asOrigin(fragment.get('origin'));
  let locale = fragment.get('locale');
  let storageWorks = true;

  if (token) {
    storageWorks = store(storageKey('token', orderId), token);
    store(storageKey('origin', orderId), hostOrigin);
    store(storageKey('locale', orderId), locale);
    // Keep the token out of the address the shopper might copy or a later page might read.
    history.replaceState(history.state, '', location.pathname + location.search);
  } else {
    token = readStored(storageKey('token', orderId));
    hostOrigin = asOrigin(readStored(storageKey('origin', orderId)));
    locale = readStored(storageKey('locale', orderId));
  }
  return token ? { orderId, token, hostOrigin, locale, storageWorks } : null;
}

/**
 * Where a challenge or redirect brings the shopper back. When storage is refused, the launch
 * parameters ride along in the fragment instead, as the only way to survive the round trip.
 */
export function returnUrlFor(params: LaunchParams): string {
  const base = `${location.origin}/v1/frame?order=${encodeURIComponent(params.orderId)}`;
  if (params.storageWorks) return base;
  const fragment = new URLSearchParams({ token: params.token });
  if (params.hostOrigin) fragment.set('origin', params.hostOrigin);
  if (params.locale) fragment.set('locale', params.locale);
  return `${base}#${fragment}`;
}

/** Marks that the shopper left for a challenge, so the outcome on return is news to the host. */
export function rememberPendingReturn(orderId: string, pending: boolean): void {
  store(`till:pending:${orderId}`, pending ? '1' : null);
}

export function takePendingReturn(orderId: string): boolean {
  const pending = readStored(`till:pending:${orderId}`) === '1';
  if (pending) rememberPendingReturn(orderId, false);
  return pending;
}
