/**
 * The fake's browser pages: Alipay's cashier (opened from a page.pay / wap.pay URL) and the
 * "phone" a QR code points at. Small, self-contained HTML that reads well on a phone.
 */
import { escapeHtml } from '../html.ts';
import type { Trade } from './state.ts';

const STYLE = `
  :root { color-scheme: light; font-family: -apple-system, BlinkMacSystemFont, "PingFang SC", "Segoe UI", sans-serif; }
  body { margin: 0; background: #f5f6f8; color: #1f2329; }
  header { background: #1677ff; color: #fff; padding: 14px 20px; font-weight: 600; letter-spacing: .02em; }
  header small { font-weight: 400; opacity: .8; margin-left: 8px; }
  main { max-width: 420px; margin: 24px auto; padding: 0 16px; }
  .card { background: #fff; border-radius: 12px; padding: 24px; box-shadow: 0 1px 3px rgba(0,0,0,.08);
    text-align: center; }
  .subject { color: #646a73; margin: 0 0 8px; word-break: break-word; }
  .amount { font-size: 36px; font-weight: 600; margin: 0 0 24px; }
  .amount span { font-size: 20px; margin-right: 4px; }
  button, a.button { display: block; width: 100%; box-sizing: border-box; border: 0; border-radius: 8px;
    padding: 14px; font-size: 16px; cursor: pointer; text-decoration: none; }
  .pay { background: #1677ff; color: #fff; margin-bottom: 12px; }
  .cancel { background: #f0f1f5; color: #1f2329; }
  .note { color: #8f959e; font-size: 13px; margin-top: 16px; }
  .done { color: #00a854; font-size: 20px; font-weight: 600; }
`;

function page(title: string, body: string): Response {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>支付宝 Alipay <small>local fake, test mode</small></header>
<main><div class="card">${body}</div></main>
</body>
</html>`;
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}

/** The cashier / phone page: what is paid, and Pay or Cancel. `action` is where Pay posts. */
export function cashierPage(trade: Trade, action: string, cancelUrl: string | null): Response {
  const cancel = cancelUrl
    ? `<a class="button cancel" href="${escapeHtml(cancelUrl)}">Cancel</a>`
    : `<form method="post" action="${escapeHtml(action.replace(/\/pay$/, '/cancel'))}">` +
      '<button class="cancel" type="submit">Cancel</button></form>';
  return page(
    `Pay ${trade.totalAmount} CNY`,
    `<p class="subject">${escapeHtml(trade.subject)}</p>
<p class="amount"><span>¥</span>${escapeHtml(trade.totalAmount)}</p>
<form method="post" action="${escapeHtml(action)}"><button class="pay" type="submit"
  data-testid="alipay-pay">Pay</button></form>
${cancel}
<p class="note">Order ${escapeHtml(trade.outTradeNo)}. No money moves: this is Till's Alipay stand-in.</p>`,
  );
}

export function resultPage(title: string, message: string, ok: boolean): Response {
  const response = page(
    title,
    `<p class="${ok ? 'done' : 'subject'}">${escapeHtml(title)}</p><p class="note">${escapeHtml(message)}</p>`,
  );
  return ok ? response : new Response(response.body, { status: 409, headers: response.headers });
}

/** A gateway error shown in the browser, as Alipay shows a bad page.pay link. */
export function errorPage(code: string, subCode: string, message: string): Response {
  const response = page(
    'Alipay error',
    `<p class="subject">${escapeHtml(code)} ${escapeHtml(subCode)}</p><p class="note">${escapeHtml(message)}</p>`,
  );
  return new Response(response.body, { status: 400, headers: response.headers });
}
