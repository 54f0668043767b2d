/**
 * Notification accepted → widget shows paid, in a real browser: for each QR order the frame is
 * open and waiting, then the bench posts the channel's signed notification and the page records,
 * with a MutationObserver, the moment the success outcome enters its DOM (performance.timeOrigin
 * + performance.now(), on the same clock as Date.now() here). Run with the socket (live) and with
 * WebSocket blocked in the page (the polling fallback).
 */
import type { Browser, Page } from 'playwright-core';
import { signPayload } from '../shared/signature.ts';
import { launchBrowser } from '../test/e2e/browser.ts';
import { sandboxNotification } from '../worker/channels/sandbox/notification.ts';

export interface LatencyRow {
  name: string;
  rounds: number;
  /** From the notify endpoint's answer (accepted) to paid in the DOM; negative when the push outran the answer. */
  accepted: number[];
  /** From sending the notification to paid in the DOM. */
  sent: number[];
}

interface Setup {
  url: string;
  secretKey: string;
  notifySecret: string;
}

declare global {
  interface Window {
    __tillPaidAt?: number;
  }
}

/** Records when the success outcome first appears; runs in the frame before its own scripts. */
function recordPaid(): void {
  const seen = () => {
    if (window.__tillPaidAt === undefined && document.querySelector('.outcome-success')) {
      window.__tillPaidAt = performance.timeOrigin + performance.now();
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
}

/** Stands in for a webview or proxy that refuses WebSockets. */
function blockWebSockets(): void {
  window.WebSocket = class {
    constructor() {
      throw new DOMException('blocked by the benchmark', 'SecurityError');
    }
  } as unknown as typeof WebSocket;
}

async function qrOrder(setup: Setup): Promise<{ id: string; token: string; attemptId: string }> {
  const created = await fetch(`${setup.url}/v1/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${setup.secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amount: 2900, currency: 'USD', description: 'Bench QR order' }),
  });
  const order = (await created.json()) as { id: string; client_token: string };
  const started = await fetch(`${setup.url}/v1/checkout/${order.id}/attempts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${order.client_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'sandbox', method: 'qr' }),
  });
  const summary = (await started.json()) as { attempt?: { id: string } };
  if (!started.ok || !summary.attempt) throw new Error(`QR attempt not started: HTTP ${started.status}`);
  return { id: order.id, token: order.client_token, attemptId: summary.attempt.id };
}

async function notifyPaid(setup: Setup, orderId: string, attemptId: string): Promise<void> {
  const body = JSON.stringify(
    sandboxNotification({ orderId, attemptId, amount: 2900, currency: 'USD' }, 'succeeded', null, `bench-${attemptId}`),
  );
  const response = await fetch(`${setup.url}/v1/channels/sandbox/notify/${orderId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sandbox-signature': await signPayload(body, setup.notifySecret) },
    body,
  });
  if ((await response.text()) !== 'ok') throw new Error(`notification not accepted: HTTP ${response.status}`);
}

/** Opens the frame on a waiting QR order; resolves once it shows the code (and, live, once the socket spoke). */
async function openWaiting(
  page: Page,
  setup: Setup,
  order: { id: string; token: string },
  live: boolean,
): Promise<void> {
  const socketSpoke = live
    ? new Promise<void>((resolve) => page.on('websocket', (ws) => ws.once('framereceived', () => resolve())))
    : Promise.resolve();
  await page.goto(`${setup.url}/v1/frame?order=${order.id}#token=${order.token}`);
  await page.getByRole('img', { name: /QR code to pay/ }).waitFor({ timeout: 20_000 });
  await socketSpoke;
}

async function measureMode(browser: Browser, setup: Setup, live: boolean, rounds: number): Promise<LatencyRow> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(recordPaid);
  if (!live) await context.addInitScript(blockWebSockets);
  const row: LatencyRow = {
    name: live ? 'live (WebSocket push)' : 'polling fallback (WebSocket blocked)',
    rounds,
    accepted: [],
    sent: [],
  };
  try {
    for (let i = -2; i < rounds; i++) {
      const order = await qrOrder(setup);
      const page = await context.newPage();
      await openWaiting(page, setup, order, live);
      // The shopper scans some time after the code appears: spread over 0–2 s, alike in both modes.
      await new Promise((resolve) => setTimeout(resolve, (Math.abs(i) % 5) * 500));
      const sentAt = Date.now();
      await notifyPaid(setup, order.id, order.attemptId);
      const acceptedAt = Date.now();
      const paidAt = (await (
        await page.waitForFunction(() => window.__tillPaidAt, undefined, { timeout: 60_000 })
      ).jsonValue()) as number;
      if (i >= 0) {
        // i < 0: warm-up rounds, not counted.
        row.accepted.push(paidAt - acceptedAt);
        row.sent.push(paidAt - sentAt);
      }
      await page.close();
    }
  } finally {
    await context.close();
  }
  return row;
}

export async function measureWidgetLatency(setup: Setup, rounds: number): Promise<LatencyRow[]> {
  const browser = await launchBrowser();
  try {
    return [await measureMode(browser, setup, true, rounds), await measureMode(browser, setup, false, rounds)];
  } finally {
    await browser.close();
  }
}
