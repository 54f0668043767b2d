/**
 * Cards for real, in Chromium at 1280 and 375 px, on a merchant's own page: the demo merchant's
 * test mode routes cards to the Stripe stand-in, then the Adyen one (Till's default routing).
 * Stripe 4242; Stripe's 3-D Secure page and back; Adyen's 3-D Secure 2 page and back (with the
 * merchant's routing set to Adyen first); failover with Stripe failing every call; a decline in
 * English and in Chinese. The outcome is read back from the merchant's API, attempt and tries.
 */
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { STRIPE_TEST_SECRET_KEY } from '../fakes/stripe/account.ts';
import { launchBrowser, screenshot, VIEWPORTS } from './browser.ts';
import { fillCard, payButton } from './matrix/session.ts';
import { type MerchantPage, merchantApi, startMerchantPage } from './merchant-page.ts';

const url = inject('tillUrl');
const fakes = inject('fakeUrls');
const secretKey = inject('merchantSecretKey');
const api = merchantApi(url, secretKey);

let browser: Browser;
let merchant: MerchantPage;

interface OrderView {
  status: string;
  attempts: Array<{ channel: string; status: string; tries?: Array<{ processor: string; result: string }> }>;
}

async function merchantCall<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status, `${path}`).toBeLessThan(300);
  return (await response.json()) as T;
}

const setRouting = (steps: unknown[]) => merchantCall('/v1/merchant', { card_routing: { test: steps } });

async function stripeFault(kind: 'down' | 'reset'): Promise<void> {
  const response = await fetch(`${fakes.stripe}/_fake/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ secret_key: STRIPE_TEST_SECRET_KEY, kind }),
  });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  merchant = await startMerchantPage(url);
  await api.allowOrigins(merchant.origin);
  browser = await launchBrowser();
});

afterAll(async () => {
  await setRouting([]);
  await stripeFault('reset');
  await browser?.close();
  await merchant?.close();
});

/** A new order's checkout on the merchant's page, with the Card method chosen. */
async function openCard(context: BrowserContext, locale = 'en'): Promise<{ page: Page; frame: Frame; id: string }> {
  const order = await api.createOrder({ amount: 2900, currency: 'USD', description: 'Linen tote' });
  const page = await context.newPage();
  await page.goto(merchant.checkoutUrl(order.client_token, { locale }));
  const handle = await page.locator('#checkout iframe').elementHandle({ timeout: 10_000 });
  const frame = await handle?.contentFrame();
  if (!frame) throw new Error('no checkout frame');
  const card = frame.locator('input[type="radio"][value="card:card"]');
  await card.waitFor({ timeout: 15_000 });
  await card.check();
  return { page, frame, id: order.id };
}

async function pay(frame: Frame, number: string, name = 'Ada Lovelace'): Promise<void> {
  await fillCard(frame, { number, name });
  await payButton(frame).click();
}

/** The checkout says paid, and the merchant's API agrees, naming the processors tried. */
async function expectPaid(frame: Frame, id: string): Promise<OrderView> {
  await frame.getByRole('heading', { name: 'Payment successful' }).waitFor({ timeout: 20_000 });
  const order = await merchantCall<OrderView>(`/v1/orders/${id}`);
  expect(order.status).toBe('paid');
  return order;
}

/** Completes a processor's 3-D Secure page, wherever the checkout took the shopper to it. */
async function completeChallenge(page: Page, label: string): Promise<void> {
  const complete = page.getByRole('button', { name: 'Complete authentication' });
  const inFrame = page.frameLocator('#checkout iframe').getByRole('button', { name: 'Complete authentication' });
  const button = await Promise.race([
    complete.waitFor({ timeout: 20_000 }).then(() => complete),
    inFrame.waitFor({ timeout: 20_000 }).then(() => inFrame),
  ]);
  await screenshot(page, label);
  await button.click();
}

for (const [name, viewport] of Object.entries(VIEWPORTS)) {
  describe(`cards, ${name} (${viewport.width} px)`, () => {
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

    it('pays 4242 through Stripe', async () => {
      const { page, frame, id } = await openCard(context);
      await pay(frame, '4242 4242 4242 4242');
      const order = await expectPaid(frame, id);
      expect(order.attempts.map((attempt) => attempt.channel)).toEqual(['stripe']);
      await screenshot(page, `cards-${name}-stripe-paid`);
      await page.close();
    });

    it('takes Stripe’s 3-D Secure challenge and comes back paid', async () => {
      const { page, frame, id } = await openCard(context);
      await pay(frame, '4000 0027 6000 3184');
      await completeChallenge(page, `cards-${name}-stripe-challenge`);
      const paidFrame = page.frameLocator('#checkout iframe');
      await paidFrame.getByRole('heading', { name: 'Payment successful' }).waitFor({ timeout: 20_000 });
      expect((await merchantCall<OrderView>(`/v1/orders/${id}`)).status).toBe('paid');
      await page.close();
    });

    it('takes Adyen’s 3-D Secure 2 challenge when the merchant routes cards to Adyen first', async () => {
      await setRouting([{ processor: 'adyen' }, { processor: 'stripe' }]);
      try {
        const { page, frame, id } = await openCard(context);
        await pay(frame, '4917 6100 0000 0000');
        await completeChallenge(page, `cards-${name}-adyen-challenge`);
        const paidFrame = page.frameLocator('#checkout iframe');
        await paidFrame.getByRole('heading', { name: 'Payment successful' }).waitFor({ timeout: 20_000 });
        const order = await merchantCall<OrderView>(`/v1/orders/${id}`);
        expect([order.status, order.attempts.map((attempt) => attempt.channel)]).toEqual(['paid', ['adyen']]);
        void frame;
        await page.close();
      } finally {
        await setRouting([]);
      }
    });

    it('fails over to Adyen while Stripe fails every call: one payment, shown once', async () => {
      await stripeFault('down');
      try {
        const { page, frame, id } = await openCard(context);
        await pay(frame, '4242 4242 4242 4242');
        const order = await expectPaid(frame, id);
        expect(order.attempts).toHaveLength(1);
        expect(order.attempts[0]?.tries?.map((each) => [each.processor, each.result])).toEqual([
          ['stripe', 'unavailable'],
          ['adyen', 'succeeded'],
        ]);
        await screenshot(page, `cards-${name}-failover-paid`);
        await page.close();
      } finally {
        await stripeFault('reset');
      }
    });

    it('says a decline in English and in Chinese', async () => {
      for (const [locale, words] of [
        ['en', 'Your card was declined.'],
        ['zh-CN', '您的银行卡被拒绝。'],
      ] as const) {
        const { page, frame } = await openCard(context, locale);
        await pay(frame, '4000 0000 0000 0002', locale === 'en' ? 'Ada Lovelace' : '李雷');
        await frame.getByText(words).waitFor({ timeout: 20_000 });
        await screenshot(page, `cards-${name}-declined-${locale}`);
        await page.close();
      }
    });
  });
}
