/**
 * `npm run bench`: latency of the order API against the bare Hono → Durable Object round trip,
 * measured in the same run on wrangler dev, plus Ed25519 signing cost and the widget's sizes.
 * Figures are printed, never asserted: tests assert behaviour, this measures it.
 */
import { rmSync } from 'node:fs';
import { demoMerchantId, startDevServer } from '../scripts/dev-server.ts';
import { ensureDevVars } from '../scripts/dev-vars.ts';
import { BUDGET, criticalPath, widgetFiles } from '../scripts/widget-sizes.ts';
import { WORKER_BUDGET, workerBundle, workerStartup } from '../scripts/worker-size.ts';
import { signRequest } from '../shared/request-signature.ts';
import { measureWidgetLatency } from './widget-latency.ts';
import { CPU_SLOWDOWN, measureWidgetLoad, SLOW_4G } from './widget-load.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
/** QR orders paid per mode in the browser row (each waits up to a few seconds when polling). */
const LIVE_ROUNDS = Number(process.env.BENCH_LIVE_ROUNDS ?? 30);
/** Merchant pages loaded cold and warm, on a throttled phone, for script tag → enabled Pay. */
const WIDGET_ROUNDS = Number(process.env.BENCH_WIDGET_ROUNDS ?? 10);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Item `index` of a list made ready for a measured loop; running out is a mistake in the bench itself. */
function nth<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`bench: ${list.length} items were prepared, and item ${index} is needed`);
  return item;
}

async function measure(name: string, rounds: number, run: (i: number) => Promise<Response>) {
  for (let i = 0; i < 10; i++) await (await run(-1 - i)).arrayBuffer(); // warm up
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    const response = await run(i);
    await response.arrayBuffer();
    times.push(performance.now() - start);
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  }
  times.sort((a, b) => a - b);
  const row = { name, rounds, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
  console.log(
    `${name.padEnd(44)} p50 ${row.p50.toFixed(2).padStart(7)} ms   ` +
      `p95 ${row.p95.toFixed(2).padStart(7)} ms   p99 ${row.p99.toFixed(2).padStart(7)} ms`,
  );
  return row;
}

type Checkout = { id: string; client_token: string };
type FakeNotification = { notify_url: string; body: string; headers: Record<string, string> };

/**
 * Alipay and WeChat Pay against their local stand-ins: starting an attempt (RSA-signed request,
 * the answer's signature verified) and a signed notification applied (verified with the merchant's
 * credentials inside the order object). The stand-ins answer in about a millisecond, so the
 * figures are Till's own cost plus one local round trip.
 */
async function measureWallets(
  url: string,
  auth: Record<string, string>,
  fakes: { alipay: { url: string }; wechatpay: { url: string } },
) {
  const yuan = JSON.stringify({ amount: 19900, currency: 'CNY', description: 'Bench order' });
  const orders = async (n: number): Promise<Checkout[]> => {
    const list: Checkout[] = [];
    for (let i = 0; i < n; i++)
      list.push(
        (await (await fetch(`${url}/v1/orders`, { method: 'POST', headers: auth, body: yuan })).json()) as Checkout,
      );
    return list;
  };
  const start = (order: Checkout, body: Record<string, string>) =>
    fetch(`${url}/v1/checkout/${order.id}/attempts?context=desktop`, {
      method: 'POST',
      headers: { authorization: `Bearer ${order.client_token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const wallets = [
    { name: 'Alipay QR (alipay.trade.precreate)', body: { channel: 'alipay', method: 'qr' }, fake: fakes.alipay.url },
    { name: 'WeChat Pay Native', body: { channel: 'wechatpay', method: 'native' }, fake: fakes.wechatpay.url },
  ];
  for (const wallet of wallets) {
    const pending = await orders(ROUNDS + 10);
    const attempts: string[] = [];
    let next = 0;
    await measure(`POST attempts, ${wallet.name}`, ROUNDS, async () => {
      const response = await start(nth(pending, next++), wallet.body);
      const clone = response.clone();
      if (response.ok) attempts.push(((await clone.json()) as { attempt: { id: string } }).attempt.id);
      return response;
    });
    // Paid at the stand-in, the notification taken rather than delivered, then posted and timed here.
    const notes: FakeNotification[] = [];
    for (const id of attempts)
      notes.push(
        (await (
          await fetch(`${wallet.fake}/_fake/trades/${id}/pay`, { method: 'POST', body: '{}' })
        ).json()) as FakeNotification,
      );
    let n = 0;
    await measure(
      `POST notify, ${wallet.name.split(' (')[0]} (verified, applied)`,
      Math.min(ROUNDS, notes.length - 10),
      () => {
        const note = nth(notes, n++);
        return fetch(note.notify_url, { method: 'POST', headers: note.headers, body: note.body });
      },
    );
  }
}

const persistTo = '.wrangler/bench-state';
rmSync(persistTo, { recursive: true, force: true });
// One client sends thousands of requests here: the limits are lifted for the bench's own merchant
// only (a fresh state gives the demo merchant a known id), never for anyone else.
const server = await startDevServer({
  port: Number(process.env.BENCH_PORT ?? 8797),
  persistTo,
  merchantFile: `${persistTo}/merchant.json`,
  vars: { TILL_RATE_LIMIT_EXEMPT: await demoMerchantId() },
});
if (server.merchant.merchant_id !== (await demoMerchantId())) {
  await server.stop();
  throw new Error('bench: the demo merchant is not the one exempted from the rate limits');
}
try {
  const { url, merchant } = server;
  const auth = { authorization: `Bearer ${merchant.secret_key}`, 'content-type': 'application/json' };
  const createBody = JSON.stringify({ amount: 2900, currency: 'USD', description: 'Bench order' });
  console.log(`\nLatency over ${ROUNDS} sequential requests on wrangler dev (${url}), one client:\n`);
  await measure('baseline: Hono → Durable Object RPC', ROUNDS, () => fetch(`${url}/_bench/ping`));
  await measure('a new order object (database + schema)', ROUNDS, () => fetch(`${url}/_bench/fresh-order`));
  await measure('POST /v1/orders (create order)', ROUNDS, () =>
    fetch(`${url}/v1/orders`, { method: 'POST', headers: auth, body: createBody }),
  );

  await measure('POST /v1/orders + Idempotency-Key', ROUNDS, (i) =>
    fetch(`${url}/v1/orders`, {
      method: 'POST',
      headers: { ...auth, 'idempotency-key': `bench-${i}-${Date.now()}` },
      body: createBody,
    }),
  );
  const signingSecret = merchant.request_signing_secret;
  if (signingSecret) {
    await measure('POST /v1/orders, HMAC-signed request', ROUNDS, async () => {
      const signature = await signRequest(
        { method: 'POST', pathWithQuery: '/v1/orders', body: createBody },
        { secret: signingSecret },
      );
      return fetch(`${url}/v1/orders`, {
        method: 'POST',
        headers: { ...auth, 'till-signature': signature },
        body: createBody,
      });
    });
  }
  await measure('GET /v1/orders?limit=10 (D1 index)', ROUNDS, () =>
    fetch(`${url}/v1/orders?limit=10`, { headers: auth }),
  );
  await measure('GET /v1/orders?limit=10&status=open&currency=USD', ROUNDS, () =>
    fetch(`${url}/v1/orders?limit=10&status=open&currency=USD`, { headers: auth }),
  );

  const order = (await (
    await fetch(`${url}/v1/orders`, { method: 'POST', headers: auth, body: createBody })
  ).json()) as {
    id: string;
    client_token: string;
  };
  const tokenAuth = { authorization: `Bearer ${order.client_token}` };
  await measure('GET /v1/checkout/:id (summary)', ROUNDS, () =>
    fetch(`${url}/v1/checkout/${order.id}`, { headers: tokenAuth }),
  );

  const payOrders: Array<{ id: string; client_token: string }> = [];
  for (let i = 0; i < ROUNDS + 10; i++) {
    payOrders.push(
      (await (await fetch(`${url}/v1/orders`, { method: 'POST', headers: auth, body: createBody })).json()) as never,
    );
  }
  let next = 0;
  const card = JSON.stringify({
    channel: 'sandbox',
    method: 'card',
    card: { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' },
  });
  await measure('POST /v1/checkout/:id/attempts (4242 → paid)', ROUNDS, () => {
    const target = nth(payOrders, next++);
    return fetch(`${url}/v1/checkout/${target.id}/attempts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.client_token}`, 'content-type': 'application/json' },
      body: card,
    });
  });

  // Cards through the router (the demo merchant's test mode: Stripe, then Adyen, against the stand-ins).
  const routedCard = (number: string) =>
    JSON.stringify({
      channel: 'card',
      method: 'card',
      card: { number, exp_month: 12, exp_year: 2030, cvc: '123' },
    });
  for (const [label, number] of [
    ['POST attempts, card → Stripe (4242 → paid)', '4242424242424242'],
    // Stripe declines with processing_error: the same attempt goes on to Adyen, which pays.
    ['POST attempts, card → Stripe fails over → Adyen', '4000000000000119'],
  ] as const) {
    const routedOrders: Array<{ id: string; client_token: string }> = [];
    for (let i = 0; i < ROUNDS + 10; i++) {
      routedOrders.push(
        (await (await fetch(`${url}/v1/orders`, { method: 'POST', headers: auth, body: createBody })).json()) as never,
      );
    }
    let routedNext = 0;
    await measure(label, ROUNDS, () => {
      const target = nth(routedOrders, routedNext++);
      return fetch(`${url}/v1/checkout/${target.id}/attempts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${target.client_token}`, 'content-type': 'application/json' },
        body: routedCard(number),
      });
    });
  }

  await measureWallets(url, auth, server.fakes);

  console.log('\nEd25519 signing inside the worker (500 signatures per request, 20 requests):\n');
  const noble = await measure('@noble/curves ed25519.sign ×500', 20, () =>
    fetch(`${url}/_bench/sign?impl=noble&n=500`),
  );
  const webcrypto = await measure('WebCrypto Ed25519 sign ×500', 20, () =>
    fetch(`${url}/_bench/sign?impl=webcrypto&n=500`),
  );
  console.log(
    `  ≈ ${((noble.p50 / 500) * 1000).toFixed(0)} µs per noble signature, ` +
      `${((webcrypto.p50 / 500) * 1000).toFixed(0)} µs per WebCrypto signature`,
  );

  if (LIVE_ROUNDS > 0) {
    console.log(`\nNotification accepted → widget shows paid, in Chromium, ${LIVE_ROUNDS} QR orders per mode:\n`);
    const notifySecret = (await ensureDevVars()).vars.SANDBOX_NOTIFY_SECRET ?? '';
    const rows = await measureWidgetLatency({ url, secretKey: merchant.secret_key, notifySecret }, LIVE_ROUNDS);
    const fmt = (times: number[], p: number) =>
      percentile(
        [...times].sort((a, b) => a - b),
        p,
      )
        .toFixed(0)
        .padStart(6);
    for (const row of rows) {
      console.log(
        `${row.name.padEnd(44)} p50 ${fmt(row.accepted, 50)} ms   p95 ${fmt(row.accepted, 95)} ms   ` +
          `(from sending: p50 ${fmt(row.sent, 50)} ms, p95 ${fmt(row.sent, 95)} ms)`,
      );
    }
    console.log('  the push leaves the order object before the notify endpoint answers, so "accepted →" can be ≤ 0');
  }

  if (WIDGET_ROUNDS > 0) {
    const { latency, downloadThroughput, uploadThroughput } = SLOW_4G;
    console.log(
      `\nScript tag → enabled Pay button, Chromium at ${CPU_SLOWDOWN}× CPU slowdown on DevTools' Slow 4G ` +
        `(${latency} ms, ${((downloadThroughput * 8) / 1e6).toFixed(2)} Mbps down, ` +
        `${((uploadThroughput * 8) / 1e3).toFixed(0)} kbps up), ` +
        `412×915 @2x, merchant page on its own origin, ${WIDGET_ROUNDS} rounds:\n`,
    );
    const load = await measureWidgetLoad({ url, secretKey: merchant.secret_key }, WIDGET_ROUNDS);
    const p = (values: number[], q: number) =>
      percentile(
        [...values].sort((a, b) => a - b),
        q,
      )
        .toFixed(0)
        .padStart(6);
    for (const [name, runs] of [
      ['cold (empty cache, cache disabled)', load.cold],
      ['warm (files cached, new order)', load.warm],
    ] as const) {
      const enabled = runs.map((run) => run.payEnabled);
      console.log(
        `${name.padEnd(44)} p50 ${p(enabled, 50)} ms   p95 ${p(enabled, 95)} ms   ` +
          `(till.js loaded p50 ${p(
            runs.map((run) => run.loader),
            50,
          )} ms; page heard ready p50 ${p(
            runs.map((run) => run.ready),
            50,
          )} ms; ` +
          `${Math.round(nth(runs, 0).tillBytes / 1024)} KB from Till)`,
      );
    }
    console.log(
      "  the time runs from the page's navigation start; one cold load, request by request (start, duration, bytes):",
    );
    const first = load.coldRequests[0]?.start ?? 0;
    for (const request of load.coldRequests) {
      const path = request.url.replace(url, '').replace(/\?token=[^&]+/, '?token=…');
      console.log(
        `  ${((request.start - first) * 1000).toFixed(0).padStart(6)} ms  ` +
          `${request.ms.toFixed(0).padStart(5)} ms  ${String(request.bytes).padStart(6)} B  ${path}`,
      );
    }
  }

  console.log('\nWidget build (gzip -9):\n');
  const sizes = widgetFiles();
  const critical = criticalPath(sizes);
  const row = (label: string, file: { gzip: number; bytes: number; path: string } | undefined) =>
    console.log(
      `  ${label.padEnd(12)} ${String(file?.gzip ?? '?').padStart(7)} B gz  ` +
        `${String(file?.bytes ?? '?').padStart(7)} B  ${file?.path ?? '(missing)'}`,
    );
  const loader = sizes.find((file) => file.path === '/v1/till.js');
  row('loader', loader);
  row(
    'frame html',
    sizes.find((file) => file.path === '/v1/frame.html'),
  );
  for (const file of critical.files.filter((each) => each.path.startsWith('/v1/assets/')))
    row(file.path.endsWith('.css') ? 'entry css' : 'entry js', file);
  console.log(
    `  ${'critical'.padEnd(12)} ${String(critical.gzip).padStart(7)} B gz  ` +
      `(budget ${BUDGET.criticalPath}: loader + frame html + the js/css it links)` +
      `   loader budget ${BUDGET.loader}: ${loader && loader.gzip <= BUDGET.loader ? 'within' : 'OVER'}; ` +
      `critical path: ${critical.gzip <= BUDGET.criticalPath ? 'within' : 'OVER'}`,
  );
  const onPath = new Set(critical.files.map((file) => file.path));
  for (const file of sizes.filter((each) => !onPath.has(each.path))) row('lazy chunk', file);

  console.log('\nWorker (what wrangler uploads; its start in a local isolate, `wrangler check startup`):\n');
  const bundle = workerBundle();
  console.log(
    `  bundle       ${String(bundle.gzip).padStart(7)} B gz  ${String(bundle.bytes).padStart(7)} B   ` +
      `budget ${WORKER_BUDGET}: ${bundle.gzip <= WORKER_BUDGET ? 'within' : 'OVER'}`,
  );
  const starts = [workerStartup(), workerStartup(), workerStartup()].sort((a, b) => a - b);
  console.log(
    `  startup CPU  p50 ${starts[1]?.toFixed(1)} ms of 3 profiles (${starts.map((ms) => ms.toFixed(1)).join(', ')})`,
  );
} finally {
  await server.stop();
}
