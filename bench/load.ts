/**
 * `npm run bench:load`: throughput under concurrent clients on wrangler dev, at 1, 8 and 32
 * clients, each workload beside the static asset in the same run (its ratio says what Till's work
 * costs against serving a file). Latency percentiles and non-2xx answers are counted, never
 * asserted. The rate limits are lifted for the bench's own merchant only (TILL_RATE_LIMIT_EXEMPT).
 */
import { rmSync } from 'node:fs';
import { demoMerchantId, startDevServer } from '../scripts/dev-server.ts';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const LEVELS = (process.env.LOAD_CLIENTS ?? '1,8,32').split(',').map(Number);

interface Order {
  id: string;
  client_token: string;
}

interface Workload {
  name: string;
  /** One request; answers the response, whose body is read before the next. */
  run: () => Promise<Response>;
}

interface Row {
  name: string;
  clients: number;
  count: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  failed: number;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** `clients` loops sending `workload` back to back for SECONDS; a loop stops early when it runs out of work. */
async function drive(workload: Workload, clients: number): Promise<Row> {
  const times: number[] = [];
  let failed = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const start = performance.now();
      let response: Response;
      try {
        response = await workload.run();
        await response.arrayBuffer();
      } catch (error) {
        if (error instanceof RangeError) return; // out of prepared orders
        failed++;
        continue;
      }
      times.push(performance.now() - start);
      if (!response.ok) failed++;
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return {
    name: workload.name,
    clients,
    count: times.length,
    perSecond: times.length / elapsed,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    failed,
  };
}

/** Orders made before a timed run, handed out one per request; a RangeError once all are used. */
function orderPool(orders: Order[]) {
  let next = 0;
  return (): Order => {
    const order = orders[next++];
    if (!order) throw new RangeError('bench: out of prepared orders');
    return order;
  };
}

async function createOrders(url: string, auth: Record<string, string>, count: number): Promise<Order[]> {
  const body = JSON.stringify({ amount: 2900, currency: 'USD', description: 'Load order' });
  const orders: Order[] = [];
  const make = async () => {
    while (orders.length < count) {
      const response = await fetch(`${url}/v1/orders`, { method: 'POST', headers: auth, body });
      if (!response.ok) throw new Error(`bench: creating an order answered ${response.status}`);
      orders.push((await response.json()) as Order);
    }
  };
  await Promise.all(Array.from({ length: 16 }, make));
  return orders;
}

const persistTo = '.wrangler/bench-load-state';
rmSync(persistTo, { recursive: true, force: true });
const exempt = await demoMerchantId();
const server = await startDevServer({
  port: Number(process.env.BENCH_PORT ?? 8798),
  persistTo,
  merchantFile: `${persistTo}/merchant.json`,
  vars: { TILL_RATE_LIMIT_EXEMPT: exempt },
});
try {
  if (server.merchant.merchant_id !== exempt) throw new Error('bench: the merchant is not the one exempted');
  const { url } = server;
  const auth = { authorization: `Bearer ${server.merchant.secret_key}`, 'content-type': 'application/json' };
  const createBody = JSON.stringify({ amount: 2900, currency: 'USD', description: 'Load order' });
  const card = JSON.stringify({
    channel: 'sandbox',
    method: 'card',
    card: { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' },
  });
  const [summaryOrder] = await createOrders(url, auth, 1);
  if (!summaryOrder) throw new Error('bench: no order to read');
  // Enough fresh orders for the attempt runs at every level (each attempt pays one order).
  const payable = orderPool(await createOrders(url, auth, Number(process.env.LOAD_ATTEMPT_ORDERS ?? 1500)));

  const workloads: Workload[] = [
    { name: 'static GET /v1/till.js', run: () => fetch(`${url}/v1/till.js`) },
    {
      name: 'POST /v1/orders',
      run: () => fetch(`${url}/v1/orders`, { method: 'POST', headers: auth, body: createBody }),
    },
    {
      name: 'GET /v1/checkout/:id',
      run: () =>
        fetch(`${url}/v1/checkout/${summaryOrder.id}`, {
          headers: { authorization: `Bearer ${summaryOrder.client_token}` },
        }),
    },
    {
      name: 'POST attempts (4242 → paid)',
      run: () => {
        const order = payable();
        return fetch(`${url}/v1/checkout/${order.id}/attempts`, {
          method: 'POST',
          headers: { authorization: `Bearer ${order.client_token}`, 'content-type': 'application/json' },
          body: card,
        });
      },
    },
  ];

  console.log(`\nThroughput on wrangler dev (${url}), ${SECONDS} s per run, clients in parallel:\n`);
  for (const clients of LEVELS) {
    const rows: Row[] = [];
    for (const workload of workloads) rows.push(await drive(workload, clients));
    const base = rows[0]?.perSecond ?? Number.NaN;
    console.log(`${clients} client${clients === 1 ? '' : 's'}:`);
    for (const row of rows) {
      console.log(
        `  ${row.name.padEnd(30)} ${row.perSecond.toFixed(1).padStart(7)} req/s  ` +
          `${(row.perSecond / base).toFixed(2).padStart(5)}× static   ` +
          `p50 ${row.p50.toFixed(1).padStart(7)} ms  p95 ${row.p95.toFixed(1).padStart(7)} ms  ` +
          `p99 ${row.p99.toFixed(1).padStart(7)} ms   non-2xx ${row.failed} of ${row.count}`,
      );
    }
  }
} finally {
  await server.stop();
}
