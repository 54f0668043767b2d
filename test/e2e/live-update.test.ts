/**
 * The widget hears the outcome live: a QR code paid on another page shows as paid in the frame
 * without a reload, brought by the order object's WebSocket — and, where the socket is blocked or
 * keeps dropping, by polling instead.
 */
import type { Browser, BrowserContext, FrameLocator, Page, WebSocket } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, screenshot, VIEWPORTS } from './browser.ts';

const url = inject('tillUrl');
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await context?.close();
  context = undefined;
});

/** What the page heard about its order: summaries polled over HTTP and pushed over sockets. */
interface Traffic {
  polled: Array<{ at: number; status: string }>;
  sockets: WebSocket[];
  pushed: Array<{ at: number; status: string }>;
  errors: string[];
}

function watch(page: Page): Traffic {
  const traffic: Traffic = { polled: [], sockets: [], pushed: [], errors: [] };
  page.on('pageerror', (error) => traffic.errors.push(error.message));
  page.on('response', async (response) => {
    if (response.request().method() !== 'GET' || !/\/v1\/checkout\/ord_[^/?]+(\?|$)/.test(response.url())) return;
    const body = (await response.json().catch(() => null)) as { order?: { status: string } } | null;
    traffic.polled.push({ at: Date.now(), status: body?.order?.status ?? `http_${response.status()}` });
  });
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/live')) return;
    traffic.sockets.push(ws);
    ws.on('framereceived', ({ payload }) => {
      try {
        const summary = JSON.parse(String(payload)) as { order?: { status: string } };
        if (summary.order) traffic.pushed.push({ at: Date.now(), status: summary.order.status });
      } catch {
        // pong
      }
    });
  });
  return traffic;
}

async function showQr(page: Page): Promise<{ frame: FrameLocator; scanUrl: string }> {
  await page.goto(`${url}/demo`);
  await page.getByRole('button', { name: 'Checkout' }).click();
  const frame = page.frameLocator('iframe[title="Till checkout"]');
  await frame.getByRole('radio', { name: 'Scan QR code' }).check();
  const start = frame.getByRole('button', { name: /Pay|Show QR|Continue/ });
  if (await start.count()) await start.first().click();
  await frame.getByRole('img', { name: /QR code to pay/ }).waitFor({ timeout: 20_000 });
  const href = await frame.getByRole('link', { name: 'Open the payment page' }).getAttribute('href');
  expect(href).toMatch(/\/sandbox\/scan\/att_/);
  return { frame, scanUrl: href! };
}

/** Pays the QR code as the shopper's phone would: on the wallet page, in another tab. */
async function payOnWallet(scanUrl: string, shot?: string): Promise<void> {
  const wallet = await context!.newPage();
  await wallet.goto(scanUrl);
  if (shot) await screenshot(wallet, shot);
  await wallet.getByRole('button', { name: /^Pay / }).click();
  await wallet.getByRole('heading', { name: 'Payment sent' }).waitFor();
  await wallet.close();
}

const paidHeading = (frame: FrameLocator) => frame.getByRole('heading', { name: 'Payment successful' });

describe('live order updates in the widget', () => {
  it('shows a QR payment made on another page as paid, pushed over the socket, without reload', async () => {
    context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const page = await context.newPage();
    const traffic = watch(page);
    const { frame, scanUrl } = await showQr(page);
    await expect
      .poll(() => traffic.pushed.some((push) => push.status === 'requires_action'), { timeout: 10_000 })
      .toBe(true);
    await screenshot(page, 'live-1-qr-waiting');
    const navigations: string[] = [];
    page.on('framenavigated', (navigated) => navigations.push(navigated.url()));

    await payOnWallet(scanUrl, 'live-2-wallet');
    await paidHeading(frame).waitFor({ timeout: 10_000 });
    await screenshot(page, 'live-3-paid');

    // Paid came over the socket: it was pushed, and no polled summary ever said paid.
    expect(traffic.pushed.map((push) => push.status)).toContain('paid');
    expect(traffic.polled.filter((poll) => poll.status === 'paid')).toEqual([]);
    expect(traffic.sockets).toHaveLength(1);
    expect(navigations).toEqual([]);
    expect(traffic.errors).toEqual([]);
    // The widget closes the socket once the outcome is settled.
    await expect.poll(() => traffic.sockets[0]!.isClosed(), { timeout: 10_000 }).toBe(true);
  });

  it('falls back to polling when the socket cannot open (blocked in the webview)', async () => {
    context = await browser.newContext({
      viewport: VIEWPORTS.mobile,
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    // Some webviews and proxies refuse WebSockets outright: the constructor throws.
    await context.addInitScript(() => {
      window.WebSocket = class {
        constructor() {
          throw new DOMException('WebSockets are blocked here', 'SecurityError');
        }
      } as unknown as typeof WebSocket;
    });
    const page = await context.newPage();
    const traffic = watch(page);
    const { frame, scanUrl } = await showQr(page);
    await payOnWallet(scanUrl);
    await paidHeading(frame).waitFor({ timeout: 30_000 });
    await screenshot(page, 'live-4-fallback-paid');
    expect(traffic.sockets).toEqual([]);
    expect(traffic.polled.map((poll) => poll.status)).toContain('paid');
  });

  it('falls back to polling when the socket keeps dropping, and keeps trying it again', async () => {
    context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    let attempts = 0;
    // A proxy that accepts the upgrade and then hangs up at once.
    await context.routeWebSocket(/\/v1\/checkout\/[^/]+\/live/, (ws) => {
      attempts++;
      ws.close({ code: 1011, reason: 'proxy hung up' });
    });
    const page = await context.newPage();
    const traffic = watch(page);
    const { frame, scanUrl } = await showQr(page);
    await payOnWallet(scanUrl);
    await paidHeading(frame).waitFor({ timeout: 30_000 });
    expect(traffic.polled.map((poll) => poll.status)).toContain('paid');
    expect(attempts).toBeGreaterThan(1);
  });
});
