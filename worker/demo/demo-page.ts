/** The demo shop's page and script: plain HTML and JavaScript, as a merchant would write them. */

export const DEMO_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Paper &amp; Thread — demo shop</title>
  <style>
    :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", sans-serif; color: #1f2933; }
    body { margin: 0; background: #f7f5f2; }
    header { padding: 18px 24px; background: #fff; border-bottom: 1px solid #e6e1da;
      display: flex; justify-content: space-between; align-items: center; }
    header strong { font-size: 18px; letter-spacing: .01em; }
    header span { font-size: 13px; color: #7b8794; }
    main { max-width: 980px; margin: 0 auto; padding: 24px; display: grid; gap: 24px; grid-template-columns: 1fr 1fr; }
    @media (max-width: 760px) { main { grid-template-columns: 1fr; padding: 16px; } }
    section { background: #fff; border-radius: 14px; padding: 20px; box-shadow: 0 1px 3px rgba(0,0,0,.06); }
    h2 { font-size: 16px; margin: 0 0 14px; }
    .product { display: flex; gap: 16px; align-items: center; }
    .swatch { width: 88px; height: 88px; border-radius: 12px; background: linear-gradient(135deg, #e9d8a6, #ca6702);
      flex: none; }
    .lines { margin: 18px 0 0; border-top: 1px solid #eee; padding-top: 12px; }
    .line { display: flex; justify-content: space-between; padding: 4px 0; color: #52606d; }
    .total { font-weight: 700; color: #1f2933; font-size: 18px; border-top: 1px solid #eee; margin-top: 8px;
      padding-top: 10px; }
    button { font: inherit; font-weight: 600; width: 100%; margin-top: 16px; padding: 12px; border: 0;
      border-radius: 10px; background: #1f2933; color: #fff; cursor: pointer; }
    button:disabled { opacity: .6; cursor: default; }
    #thanks { display: none; padding: 14px; border-radius: 10px; background: #e3f9e5; color: #0e5c2f;
      margin-bottom: 12px; font-weight: 600; }
    #events { list-style: none; padding: 0; margin: 0; font-size: 13px; }
    #events li { display: flex; justify-content: space-between; gap: 8px; padding: 8px 0;
      border-bottom: 1px solid #f0f0f0; }
    #events code { font-size: 12px; color: #52606d; }
    .ok { color: #0e7c3a; font-weight: 600; }
    .muted { color: #7b8794; font-size: 13px; }
    .currency { border: 0; padding: 0; margin: 16px 0 0; display: flex; gap: 16px; flex-wrap: wrap; font-size: 14px; }
    .currency legend { font-weight: 600; margin-bottom: 6px; padding: 0; }
    .look { display: flex; gap: 12px; flex-wrap: wrap; margin: 0 0 14px; font-size: 13px; color: #52606d; }
    .look select { font: inherit; margin-inline-start: 4px; }
  </style>
</head>
<body>
  <header><strong>Paper &amp; Thread</strong><span>Demo shop · test mode</span></header>
  <main>
    <section aria-labelledby="cart-title">
      <h2 id="cart-title">Your cart</h2>
      <div class="product">
        <div class="swatch" role="img" aria-label="Ochre canvas tote bag"></div>
        <div><strong>Canvas tote bag</strong><div class="muted">Ochre · one size</div></div>
      </div>
      <fieldset class="currency">
        <legend>Pay in</legend>
        <label><input type="radio" name="currency" value="USD" checked> US dollars</label>
        <label><input type="radio" name="currency" value="CNY"> 人民币 (Alipay, WeChat Pay)</label>
      </fieldset>
      <div class="lines">
        <div class="line"><span>Tote bag × 1</span><span data-usd="$24.00" data-cny="¥159.00">$24.00</span></div>
        <div class="line"><span>Shipping</span><span data-usd="$5.00" data-cny="¥40.00">$5.00</span></div>
        <div class="line total"><span>Total</span><span id="total" data-usd="$29.00"
          data-cny="¥199.00">$29.00</span></div>
      </div>
      <button id="checkout-button" type="button">Checkout</button>
      <p id="order-ref" class="muted"></p>
      <p class="muted">Test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined,
        4000 0000 0000 3220 asks for 3-D Secure.
        In yuan, Alipay and WeChat Pay run against local stand-ins: open the QR code's page or the cashier to pay.</p>
    </section>
    <section aria-labelledby="pay-title">
      <h2 id="pay-title">Payment</h2>
      <div class="look">
        <label>Language <select id="locale">
          <option value="">Browser's</option><option>en</option><option>zh-CN</option><option>zh-TW</option>
          <option>ja</option><option>ko</option><option>es</option><option>fr</option><option>de</option>
          <option>pt-BR</option><option>it</option><option>ru</option><option>ar</option>
        </select></label>
        <label>Theme <select id="theme">
          <option>light</option><option>dark</option><option>auto</option>
        </select></label>
      </div>
      <div id="thanks" role="status">Thank you! Your order is paid.</div>
      <div id="till"><p class="muted">Press Checkout to pay.</p></div>
    </section>
    <section aria-labelledby="events-title" style="grid-column: 1 / -1">
      <h2 id="events-title">Webhooks received by this shop's server</h2>
      <ul id="events"><li class="muted">None yet.</li></ul>
    </section>
  </main>
  <script src="/v1/till.js"></script>
  <script src="/demo/shop.js"></script>
</body>
</html>`;

export const DEMO_SCRIPT = `(() => {
  const button = document.getElementById('checkout-button');
  const mountPoint = document.getElementById('till');
  const eventsList = document.getElementById('events');
  const SAVED = 'demo:checkout';
  let orderId = null;
  let checkoutHandle = null;
  const localeSelect = document.getElementById('locale');
  const themeSelect = document.getElementById('theme');
  // The merchant's choices, changed in place on a mounted checkout.
  const look = () => ({ locale: localeSelect.value, appearance: { theme: themeSelect.value } });
  for (const select of [localeSelect, themeSelect]) {
    select.addEventListener('change', () => checkoutHandle && checkoutHandle.update(look()));
  }

  function showCurrency(currency) {
    const key = currency === 'CNY' ? 'cny' : 'usd';
    for (const price of document.querySelectorAll('[data-usd]')) price.textContent = price.dataset[key];
    document.querySelector('input[name=currency][value=' + currency + ']').checked = true;
  }
  for (const input of document.querySelectorAll('input[name=currency]')) {
    input.addEventListener('change', () => showCurrency(input.value));
  }

  async function refreshEvents() {
    if (!orderId) return;
    const response = await fetch('/demo/api/events?order=' + encodeURIComponent(orderId));
    const { data } = await response.json();
    eventsList.replaceChildren(...(data.length ? data : [null]).map((event) => {
      const item = document.createElement('li');
      if (!event) { item.className = 'muted'; item.textContent = 'None yet.'; return item; }
      const what = document.createElement('span');
      what.innerHTML = '<strong></strong> <code></code>';
      what.querySelector('strong').textContent = event.type;
      what.querySelector('code').textContent = event.order_id + ' → ' + event.order_status;
      const check = document.createElement('span');
      check.className = 'ok';
      check.textContent = event.signature_verified ? 'signature verified ✓' : 'unverified';
      item.append(what, check);
      item.dataset.type = event.type;
      return item;
    }));
  }

  // Inside WeChat a real shop gets the shopper's openid through WeChat's OAuth (snsapi_base)
  // on its own server; the demo stands in a fixed one, which the local WeChat Pay fake accepts.
  const inWeChat = /MicroMessenger/i.test(navigator.userAgent);

  function showCheckout(checkout) {
    orderId = checkout.order_id;
    button.disabled = true;
    button.textContent = 'Order placed';
    document.getElementById('order-ref').textContent = 'Order ' + orderId;
    mountPoint.replaceChildren();
    checkoutHandle = Till.mount(mountPoint, {
      token: checkout.client_token,
      ...look(),
      ...(inWeChat ? { wechatOpenId: 'oDemoShopper0penId000000000' } : {}),
      onEvent(event) {
        if (event.type === 'paid') document.getElementById('thanks').style.display = 'block';
        refreshEvents();
      },
    });
    setInterval(refreshEvents, 1000);
  }

  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = 'Creating order…';
    const currency = document.querySelector('input[name=currency]:checked').value;
    const response = await fetch('/demo/api/orders?currency=' + currency, { method: 'POST' });
    const body = await response.json();
    if (!response.ok) {
      button.disabled = false;
      button.textContent = 'Checkout';
      mountPoint.textContent = body.error ? body.error.message : 'Could not create the order.';
      return;
    }
    // Kept for the shopper's return from Alipay's or WeChat's cashier: this page mounts the
    // same checkout again and it picks up where it was.
    sessionStorage.setItem(SAVED, JSON.stringify({ ...body, currency }));
    showCheckout(body);
  });

  const saved = sessionStorage.getItem(SAVED);
  if (saved) {
    const checkout = JSON.parse(saved);
    showCurrency(checkout.currency || 'USD');
    showCheckout(checkout);
  }
})();`;
