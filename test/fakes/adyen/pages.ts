/**
 * The 3-D Secure 2 challenge a shopper is redirected to (action.url): a small page whose two
 * buttons post back, after which the shopper is sent (303) to the payment's returnUrl with
 * `redirectResult` appended, as Adyen's redirect flow does.
 */
import { escapeHtml } from '../html.ts';
import type { Payment } from './state.ts';

const STYLE = `body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f3f4f6;color:#111}
main{max-width:420px;margin:40px auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 1px 3px #0002}
h1{font-size:20px;margin:0 0 8px}p{margin:8px 0;color:#374151}form{display:inline}
button{margin:16px 8px 0 0;padding:12px 16px;border:0;border-radius:8px;font-size:16px;cursor:pointer}
.ok{background:#0abf53;color:#fff}.fail{background:#e5e7eb;color:#111}`;

function page(title: string, content: string, status = 200): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head><body><main>${content}</main></body></html>`;
  return new Response(html, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/** Major units for display only, e.g. 12.34 EUR (two decimals assumed: it is a test page). */
const display = (amount: Payment['amount']): string =>
  `${Math.floor(amount.value / 100)}.${String(amount.value % 100).padStart(2, '0')} ${amount.currency}`;

export function challengePage(action: string, payment: Payment): Response {
  return page(
    '3D Secure 2 authentication',
    `<h1>3D Secure 2 authentication</h1>
<p>Local Adyen stand-in for Till tests; no real money moves.</p>
<p>Pay <strong>${escapeHtml(display(payment.amount))}</strong> to ${escapeHtml(payment.merchantAccount)}
with card •••• ${escapeHtml(payment.card.last4)}.</p>
<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="outcome" value="complete">
<button class="ok" type="submit">Complete authentication</button></form>
<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="outcome" value="fail">
<button class="fail" type="submit">Fail authentication</button></form>`,
  );
}

export const messagePage = (text: string, status = 404): Response =>
  page('3D Secure 2', `<h1>3D Secure 2</h1><p>${escapeHtml(text)}</p>`, status);
