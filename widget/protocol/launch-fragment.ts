/**
 * The first message from the host to the frame: the launch parameters, which the loader writes
 * into the fragment of the frame's URL (so the token never reaches a server log or a Referer) and
 * the frame reads (widget/app/launch-params.ts checks each). The frame writes them again into the
 * URL a 3-D Secure challenge returns to when it cannot keep them in storage; an app that opens the
 * frame on its own in a webview writes them too. Empty values are left out.
 */
export interface LaunchFragment {
  /** The order's client token. */
  token: string;
  /** The host page's origin: where the frame posts its messages. */
  origin?: string | null;
  /** The host page's address without its fragment: where a cashier page returns the shopper by default. */
  page?: string | null;
  /** A BCP 47 tag; the shopper's languages when absent. */
  locale?: string | null;
  /** The merchant's `returnUrl`: where a cashier page returns the shopper. */
  return_url?: string | null;
  /** The payer's openid for the merchant's WeChat AppID. */
  openid?: string | null;
  /** The merchant's `appearance` option, as JSON. */
  appearance?: string | null;
  /** `1`: the host page has a native app's bridge. */
  native?: '1' | null;
  /** The Android app's JavaScript interface, when the app opens the frame on its own (the loader never sends it). */
  android?: string | null;
}

/** The fragment to write after `#`. */
export function writeLaunchFragment(fields: LaunchFragment): URLSearchParams {
  const fragment = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) if (value) fragment.set(key, value);
  return fragment;
}

/** Reads one launch parameter from a fragment (`#…` or without the `#`); null when absent. */
export function readLaunchFragment(hash: string): (key: keyof LaunchFragment) => string | null {
  const fragment = new URLSearchParams(hash.replace(/^#/, ''));
  return (key) => fragment.get(key);
}
