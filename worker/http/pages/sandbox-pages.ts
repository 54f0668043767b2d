/**
 * The sandbox's shopper-facing pages: the wallet a QR code opens, and the 3-D Secure challenge
 * a test card asks for. They play the part of the shopper's bank or wallet app.
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { html } from 'hono/html';
import { formatMoney } from '../../../shared/money.ts';
import { ATTEMPT_ID } from '../../../shared/schemas.ts';
import type { AppEnv } from '../../base/env.ts';
import type { Trade } from '../../channels/sandbox/processor.ts';
import { checkoutReadRateLimit } from '../rate-limit.ts';
import { frameAncestors } from './frame-page.ts';

/** The pages' own policy; each adds who may frame it (a challenge: the order's checkout frame's hosts). */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'";

function layout(title: string, body: ReturnType<typeof html>) {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <style>
      :root { color-scheme: light;
        font-family: system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", sans-serif; }
      body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #eef1f6; color: #1a1f36; }
      main { box-sizing: border-box; width: min(380px, calc(100vw - 32px)); background: #fff; border-radius: 16px;
        padding: 28px 24px; box-shadow: 0 12px 32px rgba(26, 31, 54, .12); text-align: center; }
      .badge { display: inline-block; font-size: 12px; font-weight: 600; letter-spacing: .04em;
        text-transform: uppercase; color: #8a4b00; background: #fff3d6; border-radius: 999px; padding: 3px 10px; }
      h1 { font-size: 18px; margin: 14px 0 4px; }
      .amount { font-size: 32px; font-weight: 700; margin: 8px 0 4px; }
      p { color: #4f566b; line-height: 1.5; margin: 6px 0; }
      form { display: grid; gap: 10px; margin-top: 20px; }
      button { font: inherit; font-weight: 600; border-radius: 10px; padding: 12px; cursor: pointer;
        border: 1px solid #c9cfdb; background: #fff; color: #1a1f36; }
      button.primary { background: #1a7f4b; border-color: #1a7f4b; color: #fff; }
      button:focus-visible { outline: 3px solid #6c8cff; outline-offset: 2px; }
    </style>
  </head>
  <body><main>${body}</main></body>
</html>`;
}

function tradeOf(c: { env: AppEnv['Bindings'] }, attemptId: string) {
  return c.env.SANDBOX.get(c.env.SANDBOX.idFromName(attemptId));
}

const finishedTitle = (trade: Trade): string =>
  trade.status === 'succeeded' || trade.status === 'authorized'
    ? 'Payment sent'
    : trade.status === 'failed'
      ? 'Payment declined'
      : 'Payment closed';

const finished = (trade: Trade) =>
  layout(
    'Sandbox',
    html`<span class="badge">Sandbox</span>
      <h1>${finishedTitle(trade)}</h1>
      <p>${formatMoney(trade.amount, trade.currency)} · ${trade.description}</p>
      <p>You can return to the checkout now.</p>`,
  );

const missing = layout(
  'Sandbox',
  html`<span class="badge">Sandbox</span><h1>No such payment</h1><p>This payment link is not valid.</p>`,
);

/** Bad input gets the pages' own answer, as an unknown payment does: a page, not the API's JSON envelope. */
const unreadable = layout(
  'Sandbox',
  html`<span class="badge">Sandbox</span><h1>This form could not be read</h1>
    <p>Nothing was paid or declined. Go back to the payment page and choose again.</p>`,
);

/** The pages' forms send one short field; anything longer is not from them. */
const formLimit = bodyLimit({ maxSize: 4 * 1024, onError: (c) => c.html(unreadable, 413) });

/** The button pressed on the page's own form, or null for a body that form could not have sent. */
async function pressedButton(c: Context<AppEnv>): Promise<'succeed' | 'fail' | null> {
  let form: Record<string, unknown>;
  try {
    form = await c.req.parseBody();
  } catch {
    return null; // a malformed multipart or urlencoded body
  }
  return form.action === 'succeed' || form.action === 'fail' ? form.action : null;
}

export const sandboxPages = new Hono<AppEnv>()
  // Unauthenticated like a processor's own pages: limited per IP as the checkout is.
  .use(checkoutReadRateLimit())
  .use(async (c, next) => {
    await next();
    if (!c.res.headers.has('content-security-policy'))
      c.header('content-security-policy', `${PAGE_CSP}; frame-ancestors 'self'`);
    c.header('cache-control', 'no-store');
  })

  .get('/scan/:attempt', async (c) => {
    const attemptId = c.req.param('attempt');
    const trade = ATTEMPT_ID.test(attemptId) ? await tradeOf(c, attemptId).getTrade() : null;
    if (!trade) return c.html(missing, 404);
    if (trade.status !== 'requires_action') return c.html(finished(trade));
    return c.html(
      layout(
        'Sandbox wallet',
        html`<span class="badge">Sandbox wallet</span>
          <h1>${trade.description}</h1>
          <div class="amount">${formatMoney(trade.amount, trade.currency)}</div>
          <p>This page stands in for the wallet app a shopper scans the QR code with.</p>
          <form method="post">
            <button class="primary" name="action" value="succeed"
              type="submit">Pay ${formatMoney(trade.amount, trade.currency)}</button>
            <button name="action" value="fail" type="submit">Decline</button>
          </form>`,
      ),
    );
  })

  .post('/scan/:attempt', formLimit, async (c) => {
    const attemptId = c.req.param('attempt');
    if (!ATTEMPT_ID.test(attemptId)) return c.html(missing, 404);
    const outcome = await pressedButton(c);
    if (!outcome) return c.html(unreadable, 400);
    const trade = await tradeOf(c, attemptId).complete(outcome);
    return trade ? c.html(finished(trade)) : c.html(missing, 404);
  })

  .get('/challenge/:attempt', async (c) => {
    const attemptId = c.req.param('attempt');
    const trade = ATTEMPT_ID.test(attemptId) ? await tradeOf(c, attemptId).getTrade() : null;
    if (!trade) return c.html(missing, 404);
    // A bank's challenge opens inside the checkout frame, itself on the merchant's page.
    c.header('content-security-policy', `${PAGE_CSP}; ${await frameAncestors(c.env, trade.orderId)}`);
    if (trade.status !== 'requires_action') return c.html(finished(trade));
    return c.html(
      layout(
        '3-D Secure test',
        html`<span class="badge">Sandbox bank</span>
          <h1>Confirm this payment</h1>
          <div class="amount">${formatMoney(trade.amount, trade.currency)}</div>
          <p>Your bank asks you to confirm the payment to <strong>${trade.description}</strong>.
            In the sandbox, choose the outcome.</p>
          <form method="post">
            <button class="primary" name="action" value="succeed" type="submit">Complete authentication</button>
            <button name="action" value="fail" type="submit">Fail authentication</button>
          </form>`,
      ),
    );
  })

  .post('/challenge/:attempt', formLimit, async (c) => {
    const attemptId = c.req.param('attempt');
    if (!ATTEMPT_ID.test(attemptId)) return c.html(missing, 404);
    const outcome = await pressedButton(c);
    if (!outcome) return c.html(unreadable, 400);
    const trade = await tradeOf(c, attemptId).complete(outcome);
    if (!trade) return c.html(missing, 404);
    c.header('content-security-policy', `${PAGE_CSP}; ${await frameAncestors(c.env, trade.orderId)}`);
    // Back to where the attempt was started from: the checkout frame, or (when the challenge opened in
    // the top window) the merchant's page. Checked at the start against the merchant's allowed origins
    // (attempt-start.ts checkReturnUrl), so never an open redirect.
    if (trade.returnUrl) return c.redirect(trade.returnUrl, 303);
    return c.html(finished(trade));
  });
