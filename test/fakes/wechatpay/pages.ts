/**
 * The fake's pages for people: a "phone" that scans a Native QR code and pays, and the H5
 * cashier that a mobile browser is sent to. Both pay through the fake's control API.
 */
import { escapeHtml } from '../html.ts';
import type { Trade } from './state.ts';

/** JSON inside a <script>: no `</script>` can close it early. */
const js = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** Fen → "29.00" without a float. */
export const yuan = (fen: number): string => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Helvetica Neue",Arial,sans-serif;
background:#ededed;color:#191919}
header{background:#07c160;color:#fff;padding:14px 18px;font-weight:600;display:flex;gap:8px;align-items:center}
header small{font-weight:400;opacity:.85;margin-left:auto;font-size:12px}
main{max-width:420px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border-radius:12px;padding:28px 20px;text-align:center;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.payee{color:#666;font-size:14px}.desc{margin:4px 0 16px;color:#333;word-break:break-word}
.amount{font-size:40px;font-weight:600;letter-spacing:.5px}.amount span{font-size:22px;margin-right:2px}
button{margin-top:28px;width:100%;border:0;border-radius:8px;background:#07c160;color:#fff;
font-size:17px;font-weight:600;padding:14px;cursor:pointer}
button:disabled{background:#9ed9b8;cursor:default}
.note{margin-top:14px;font-size:13px;color:#888;min-height:1.5em}.ok{color:#07c160}.err{color:#fa5151}
footer{text-align:center;color:#aaa;font-size:12px;margin-top:18px}`;

function layout(title: string, content: string): Response {
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head><body><header>微信支付 WeChat Pay<small>TEST FAKE</small></header><main>${content}
<footer>Local WeChat Pay stand-in for Till tests — no real money moves.</footer></main></body></html>`;
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}

function payCard(trade: Trade, action: string, payload: Record<string, string>, redirectUrl: string | null): string {
  const settled = trade.state !== 'NOTPAY';
  const stateText = {
    NOTPAY: '',
    SUCCESS: '已支付 Paid',
    REFUND: '已支付 Paid (refunded in part or full)',
    CLOSED: '订单已关闭 Closed',
  }[trade.state];
  return `<div class="card">
<div class="payee">商户 ${escapeHtml(trade.mchid)}</div><div class="desc">${escapeHtml(trade.description)}</div>
<div class="amount"><span>¥</span>${yuan(trade.total)}</div>
<button id="pay" ${settled ? 'disabled' : ''}>${settled ? escapeHtml(stateText) : '立即支付 Pay'}</button>
<div class="note" id="note"></div></div>
<script>
const button = document.getElementById('pay'), note = document.getElementById('note');
const redirect = ${js(redirectUrl)};
button.addEventListener('click', async () => {
  button.disabled = true; note.className = 'note'; note.textContent = '支付中… Paying';
  try {
    const response = await fetch(${js(action)}, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: ${js(JSON.stringify(payload))} });
    const result = await response.json();
    if (!response.ok) throw new Error(result.message || response.status);
    button.textContent = '支付成功 Paid';
    const told = result.delivery && result.delivery.delivered;
    note.className = 'note ok';
    note.textContent = told
      ? '商户已收到通知 The shop was notified.'
      : '支付成功；商户通知未送达 (the shop was not reachable; it will query).';
    if (redirect) setTimeout(() => { location.href = redirect; }, 800);
  } catch (error) {
    button.disabled = false; note.className = 'note err'; note.textContent = '支付失败 ' + error.message;
  }
});
</script>`;
}

/** What a phone shows after scanning the Native code_url. */
export const scanPage = (trade: Trade): Response =>
  layout(
    '扫码支付 Scan to pay',
    payCard(trade, `/_fake/trades/${encodeURIComponent(trade.out_trade_no)}/pay?deliver=1`, {}, null),
  );

/** WeChat's H5 cashier: pays, tells the shop, then returns the payer to redirect_url. */
export const h5Page = (trade: Trade, redirectUrl: string | null): Response =>
  layout('微信支付 WeChat Pay', payCard(trade, '/h5pay/pay', { prepay_id: trade.prepay_id }, redirectUrl));

export const messagePage = (title: string, text: string, status = 404): Response => {
  const response = layout(title, `<div class="card"><div class="desc">${escapeHtml(text)}</div></div>`);
  return new Response(response.body, { status, headers: response.headers });
};
