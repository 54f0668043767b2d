/**
 * A merchant's checkout page, served on its own origin as in production (Till stays on
 * localhost, this page on 127.0.0.1: two sites, so the checkout frame is a cross-site, out-of-
 * process iframe). The page is as strict as a careful merchant's: a nonce-only script policy
 * with no 'unsafe-inline', frames only from Till, no connections at all.
 *
 * `/checkout?token=…` mounts the checkout with options from the query string (`locale`,
 * `theme`, `android` — the Android interface's name — and `return_url`), records every event in
 * `window.__events` (kept across a trip to a bank's page in the same tab) and every CSP violation
 * the page sees in `window.__csp`. Used by the
 * browser tests and the benchmark.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MerchantPage {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** The page mounting the checkout for `token`, with mount options. */
  checkoutUrl(token: string, options?: MerchantPageOptions): string;
  close(): Promise<void>;
}

export interface MerchantPageOptions {
  locale?: string;
  theme?: 'light' | 'dark' | 'auto';
  /** `androidInterface` mount option. */
  android?: string;
  returnUrl?: string;
}

/** What the page records about its checkout, read with page.evaluate(). */
export interface RecordedEvent {
  type: string;
  payload?: Record<string, unknown>;
  /** performance.timeOrigin + performance.now() when the page heard it. */
  at: number;
}

export interface RecordedViolation {
  directive: string;
  blocked: string;
  source: string;
  sample: string;
}

declare global {
  interface Window {
    __events?: RecordedEvent[];
    __csp?: RecordedViolation[];
    __mountError?: string;
  }
}

const STYLES = `
:root { color-scheme: light; font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
body { margin: 0; background: #f6f7fb; color: #1a1f36; }
body.dark { color-scheme: dark; background: #0f1117; color: #e6e8ef; }
header { padding: 12px 16px; border-bottom: 1px solid #d5d9e0; }
body.dark header { border-color: #2a2f3d; }
a { color: #3730a3; }
body.dark a { color: #a5b4fc; }
main { max-width: 520px; margin: 0 auto; padding: 16px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
.summary { margin: 0 0 16px; color: inherit; }
`;

/** Escapes a value for an HTML attribute (the Till origin is ours, but still). */
const attr = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function pageHtml(tillUrl: string, nonce: string, options: { dark: boolean; rtl: boolean; lang: string }): string {
  // Runs before till.js: catches any violation the loader might cause.
  const watch = `
// Kept in the tab's sessionStorage, so what the page heard before a trip to a bank's page in the
// top window is still there when the shopper comes back.
window.__events = JSON.parse(sessionStorage.getItem('__events') || '[]');
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push({
    directive: e.effectiveDirective,
    blocked: e.blockedURI,
    source: e.sourceFile + ':' + e.lineNumber,
    sample: e.sample
  });
});`;
  const mount = `
(function () {
  var query = new URLSearchParams(location.search);
  var options = {
    token: query.get('token') || '',
    onEvent: function (event) {
      window.__events.push({
        type: event.type,
        payload: event.payload === undefined ? undefined : JSON.parse(JSON.stringify(event.payload)),
        at: performance.timeOrigin + performance.now()
      });
      sessionStorage.setItem('__events', JSON.stringify(window.__events));
    },
  };
  if (query.get('locale')) options.locale = query.get('locale');
  if (query.get('theme')) options.appearance = { theme: query.get('theme') };
  if (query.get('android')) options.androidInterface = query.get('android');
  if (query.get('return_url')) options.returnUrl = query.get('return_url');
  try {
    window.__checkout = Till.mount('#checkout', options);
  } catch (error) {
    window.__mountError = String(error && error.message || error);
  }
})();`;
  return `<!doctype html>
<html lang="${options.lang}"${options.rtl ? ' dir="rtl"' : ''}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Checkout · Test shop</title>
<link rel="stylesheet" href="/shop.css">
<script nonce="${nonce}">${watch}</script>
<script src="${attr(tillUrl)}/v1/till.js" nonce="${nonce}"></script>
</head>
<body${options.dark ? ' class="dark"' : ''}>
<header><a href="/cart">Back to cart</a></header>
<main>
<h1>Checkout</h1>
<p class="summary">Test shop · 1 notebook</p>
<div id="checkout"></div>
</main>
<script nonce="${nonce}">${mount}</script>
</body>
</html>`;
}

export async function startMerchantPage(tillUrl: string, host = '127.0.0.1'): Promise<MerchantPage> {
  const till = new URL(tillUrl).origin;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://merchant.invalid');
    if (url.pathname === '/shop.css') {
      response.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' });
      response.end(STYLES);
      return;
    }
    if (url.pathname === '/checkout') {
      const nonce = randomBytes(16).toString('base64');
      const locale = url.searchParams.get('locale') ?? 'en';
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy':
          `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self'; ` +
          `frame-src ${till}; connect-src 'none'; img-src 'self'`,
      });
      response.end(
        pageHtml(till, nonce, {
          dark: url.searchParams.get('theme') === 'dark',
          rtl: /^(ar|he|fa|ur)\b/.test(locale),
          lang: locale,
        }),
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host}:${port}`;
  return {
    origin,
    checkoutUrl(token, options = {}) {
      const query = new URLSearchParams({ token });
      if (options.locale) query.set('locale', options.locale);
      if (options.theme) query.set('theme', options.theme);
      if (options.android) query.set('android', options.android);
      if (options.returnUrl) query.set('return_url', options.returnUrl);
      return `${origin}/checkout?${query}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The merchant API, as the merchant's server calls it with its secret key. */
export function merchantApi(tillUrl: string, secretKey: string) {
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${tillUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${secretKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const json = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    /** Adds origins to the merchant's allowed origins (keeps the ones it has). */
    async allowOrigins(...origins: string[]): Promise<string[]> {
      const merchant = await call<{ allowed_origins: string[] }>('GET', '/v1/merchant');
      const allowed = [...new Set([...merchant.allowed_origins, ...origins])];
      await call('POST', '/v1/merchant', { allowed_origins: allowed });
      return allowed;
    },
    createOrder(body: {
      amount: number;
      currency: string;
      description: string;
      capture_method?: 'automatic' | 'manual';
    }) {
      return call<{ id: string; client_token: string }>('POST', '/v1/orders', body);
    },
    cancelOrder(id: string) {
      return call<{ id: string; status: string }>('POST', `/v1/orders/${id}/cancel`, {});
    },
    getOrder(id: string) {
      return call<{ id: string; status: string }>('GET', `/v1/orders/${id}`);
    },
  };
}
