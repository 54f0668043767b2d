/**
 * The checkout frame shows only on the origins its merchant allowed: on any other page the browser
 * refuses it (the frame's CSP frame-ancestors), and that page hears nothing from the checkout.
 */
import { describe, expect, it } from 'vitest';
import { newOrder, setUpStage, stage, url } from './matrix/stage.ts';
import { startMerchantPage } from './merchant-page.ts';

setUpStage();

describe('frame-ancestors', () => {
  it('a page on an origin the merchant did not allow cannot show the checkout', async () => {
    const stranger = await startMerchantPage(url, '127.0.0.2');
    const context = await stage.browser.newContext({ extraHTTPHeaders: { 'cf-connecting-ip': '198.51.100.99' } });
    try {
      const order = await newOrder('Matrix: stranger');
      const page = await context.newPage();
      await page.goto(stranger.checkoutUrl(order.client_token));
      // The browser refuses the framed document: the frame shows Chromium's error page.
      const handle = await page.locator('#checkout iframe').elementHandle({ timeout: 10_000 });
      const frame = await handle.contentFrame();
      await expect.poll(() => frame?.url(), { timeout: 10_000 }).toMatch(/^chrome-error:/);
      await page.waitForTimeout(500);
      const heard = await page.evaluate(() => (window.__events ?? []).map((event) => event.type));
      expect(heard, 'a page on a disallowed origin hears nothing from the checkout').toEqual([]);
    } finally {
      await context.close();
      await stranger.close();
    }
  });
});
