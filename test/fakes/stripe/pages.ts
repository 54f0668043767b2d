/**
 * The 3-D Secure challenge a `redirect_to_url` next action points at: a small page with two forms
 * that POST back to it (so it works as a plain link, and Playwright can click the buttons). Either
 * choice ends with a 303 to the intent's return_url, carrying Stripe's redirect parameters.
 */

import { escapeHtml } from '../html.ts';
import type { StripeFakeState } from './account.ts';
import { finishChallenge } from './charging.ts';
import type { PaymentIntentRecord } from './objects.ts';

/** Minor units as the currency's major unit, by string arithmetic (no float). */
function displayAmount(amount: number, currency: string): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const scale = 10 ** digits;
  const major = Math.floor(amount / scale);
  const minor = digits ? `.${String(amount % scale).padStart(digits, '0')}` : '';
  return `${major}${minor} ${currency.toUpperCase()}`;
}

function page(title: string, content: string, status = 200): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f6f9fc;color:#1a1f36}
main{max-width:420px;margin:48px auto;padding:28px;background:#fff;border-radius:12px;box-shadow:0 2px 8px #0001}
h1{font-size:20px;margin:0 0 12px}form{display:inline}button{font:inherit;padding:10px 16px;margin:12px 8px 0 0;
border-radius:6px;border:1px solid #635bff;cursor:pointer}
.ok{background:#635bff;color:#fff}.no{background:#fff;color:#635bff}
small{color:#697386}</style></head><body><main>${content}
<p><small>Local Stripe stand-in for Till tests: no real bank is asked.</small></p></main></body></html>`;
  return new Response(html, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  });
}

function challengePage(intent: PaymentIntentRecord): Response {
  const button = (result: string, label: string, style: string) =>
    `<form method="post"><input type="hidden" name="result" value="${result}">` +
    `<button type="submit" class="${style}">${label}</button></form>`;
  return page(
    '3D Secure test payment',
    `<h1>3D Secure 2 test payment</h1>
<p>Authenticate a payment of <strong>${escapeHtml(displayAmount(intent.amount, intent.currency))}</strong>
(${escapeHtml(intent.id)}).</p>
${button('complete', 'Complete authentication', 'ok')}${button('fail', 'Fail authentication', 'no')}`,
  );
}

/** GET or POST /3ds/:id?payment_intent_client_secret=… */
export async function handleChallenge(state: StripeFakeState, request: Request, id: string): Promise<Response> {
  const url = new URL(request.url);
  const found = state.findIntent(id);
  if (!found || url.searchParams.get('payment_intent_client_secret') !== found.intent.client_secret)
    return page('Unknown payment', '<h1>Unknown payment</h1><p>This authentication link is not known.</p>', 404);
  const { account, intent } = found;
  if (intent.status !== 'requires_action' || !intent.next_action)
    return page(
      'Nothing to authenticate',
      `<h1>Nothing to authenticate</h1><p>This payment is ${escapeHtml(intent.status)}.</p>`,
      request.method === 'POST' ? 409 : 200,
    );
  if (request.method === 'GET') return challengePage(intent);
  if (request.method !== 'POST') return new Response('method not allowed', { status: 405 });
  const result = new URLSearchParams(await request.text()).get('result');
  if (result !== 'complete' && result !== 'fail') return page('Bad request', '<h1>Choose an outcome</h1>', 400);
  const back = new URL(intent.next_action.redirect_to_url.return_url);
  finishChallenge(
    { state, account, origin: url.origin, request: { id: null, idempotencyKey: null } },
    intent,
    result === 'complete',
  );
  back.searchParams.set('payment_intent', intent.id);
  back.searchParams.set('payment_intent_client_secret', intent.client_secret);
  back.searchParams.set('redirect_status', result === 'complete' ? 'succeeded' : 'failed');
  return new Response(null, { status: 303, headers: { location: back.toString() } });
}
