/** Schemes a browser must never be sent to, whatever a request says. */
const UNSAFE_SCHEMES = /^(javascript|data|vbscript|file|blob|about):/i;

/**
 * Where a shopper may return after a channel's own page: an http(s) URL, or an app's deep link
 * (`myshop://checkout/done`) for a checkout inside a mobile app's webview. Free of zod, so the
 * widget checks with the same rule as the API.
 */
export function isReturnUrl(url: string): boolean {
  if (url.length > 2048 || UNSAFE_SCHEMES.test(url)) return false;
  if (/^https?:\/\//.test(url)) return URL.canParse(url);
  return /^[a-z][a-z0-9+.-]{1,31}:\/\/[^\s]*$/i.test(url);
}
