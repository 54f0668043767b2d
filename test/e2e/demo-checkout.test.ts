/**
 * The whole slice in a real browser: the demo shop's page creates an order through its server,
 * mounts the widget from /v1/till.js, the shopper pays in the iframe, and the shop's webhook
 * endpoint receives the signed events — on a desktop and on a phone-sized viewport.
 */
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, screenshot, VIEWPORTS, waitOrExplain } from './browser.ts';

const url = inject('tillUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** Script errors and CSP violations seen on each page, in the page or its frame. */
const problems = new WeakMap<Page, string[]>();

async function openCheckout(context: BrowserContext): Promise<{ page: Page; frame: FrameLocator }> {
  const page = await context.newPage();
  const pageErrors: string[] = [];
  problems.set(page, pageErrors);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
  });
  await page.goto(`${url}/demo`);
  await page.getByRole('button', { name: 'Checkout' }).click();
  const frame = page.frameLocator('iframe[title="Till checkout"]');
  await frame.getByRole('radio', { name: 'Card' }).waitFor();
  expect(pageErrors).toEqual([]);
  return { page, frame };
}

async function enterCard(frame: FrameLocator, number: string): Promise<void> {
  await frame.getByRole('radio', { name: 'Card' }).check();
  await frame.getByLabel('Card number').fill(number);
  await frame.getByLabel('Expiry').fill('12 / 34');
  await frame.getByLabel('CVC').fill('123');
  await frame.getByLabel('Name on card').fill('Ada Lovelace');
}

async function payButton(frame: FrameLocator) {
  return frame.getByRole('button', { name: /^Pay / });
}

async function expectPaid(page: Page, frame: FrameLocator, name: string): Promise<void> {
  await waitOrExplain(page, frame, frame.getByRole('heading', { name: 'Payment successful' }), name);
  await page.locator('#thanks').waitFor({ state: 'visible' });
  // The shop's server received order.paid, with a signature it verified.
  await page.locator('#events li[data-type="order.paid"]').waitFor({ timeout: 20_000 });
  expect(await page.locator('#events li[data-type="order.paid"]').innerText()).toContain('signature verified');
  expect(problems.get(page)).toEqual([]);
}

describe('widget files', () => {
  it('serves the frame with a strict content security policy and the loader cacheable', async () => {
    const frame = await fetch(`${url}/v1/frame`);
    expect(frame.status).toBe(200);
    const csp = frame.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const loader = await fetch(`${url}/v1/till.js`);
    expect(loader.headers.get('content-type')).toMatch(/javascript/);
    expect(loader.headers.get('cache-control')).toBe('public, max-age=300');
  });
});

for (const [name, viewport] of Object.entries(VIEWPORTS)) {
  describe(`demo checkout (${name}, ${viewport.width} px)`, () => {
    let context: BrowserContext;

    beforeAll(async () => {
      context = await browser.newContext({
        viewport,
        ...(name === 'mobile' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      });
    });

    afterAll(async () => {
      await context?.close();
    });

    it('pays with 4242 and the webhook shows on the page', async () => {
      const { page, frame } = await openCheckout(context);
      await screenshot(page, `${name}-1-methods`);
      await enterCard(frame, '4242 4242 4242 4242');
      await expect((await payButton(frame)).innerText()).resolves.toBe('Pay $29.00');
      await screenshot(page, `${name}-2-card-filled`);
      await (await payButton(frame)).click();
      await expectPaid(page, frame, `${name}-card-paid`);
      await page.locator('#events li[data-type="order.created"]').waitFor();
      await screenshot(page, `${name}-3-paid`);
      await page.close();
    });

    it('declines 0002 with a clear message, then pays on retry', async () => {
      const { page, frame } = await openCheckout(context);
      await enterCard(frame, '4000 0000 0000 0002');
      await (await payButton(frame)).click();
      await frame.getByText('Your card was declined.').waitFor();
      await screenshot(page, `${name}-4-declined`);
      await frame.getByLabel('Card number').fill('4242 4242 4242 4242');
      await (await payButton(frame)).click();
      await expectPaid(page, frame, `${name}-retry-paid`);
      await page.locator('#events li[data-type="order.payment_failed"]').waitFor({ timeout: 20_000 });
      await page.close();
    });

    it('completes the 3220 3-D Secure challenge in the top window and comes back to the shop, paid', async () => {
      const { page, frame } = await openCheckout(context);
      await enterCard(frame, '4000 0000 0000 3220');
      await (await payButton(frame)).click();
      // The bank's page (here the Stripe stand-in's) opens in the top window, as a cashier does.
      const complete = page.getByRole('button', { name: 'Complete authentication' });
      await complete.waitFor({ timeout: 20_000 });
      await screenshot(page, `${name}-5-challenge`);
      await complete.click();
      await expectPaid(page, frame, `${name}-challenge-paid`);
      await page.close();
    });

    it('pays by QR: the wallet page opened from the code pays the order', async () => {
      const { page, frame } = await openCheckout(context);
      await frame.getByRole('radio', { name: 'Scan QR code' }).check();
      const start = frame.getByRole('button', { name: /Pay|Show QR|Continue/ });
      if (await start.count()) await start.first().click();
      const qr = frame.getByRole('img', { name: /QR code to pay/ });
      await qr.waitFor({ timeout: 20_000 });
      await frame.locator('svg.qr').waitFor();
      await screenshot(page, `${name}-6-qr`);
      const link = frame.getByRole('link', { name: 'Open the payment page' });
      const href = await link.getAttribute('href');
      expect(href).toMatch(/\/sandbox\/scan\/att_/);
      const wallet = await context.newPage();
      await wallet.goto(href!);
      await screenshot(wallet, `${name}-7-wallet`);
      await wallet.getByRole('button', { name: /^Pay / }).click();
      await wallet.getByRole('heading', { name: 'Payment sent' }).waitFor();
      await wallet.close();
      await expectPaid(page, frame, `${name}-qr-paid`);
      await screenshot(page, `${name}-8-qr-paid`);
      await page.close();
    });
  });
}
