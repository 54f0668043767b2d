/**
 * Alipay and WeChat Pay in a real browser, against the local stand-ins wrangler dev talks to in
 * test mode: the desktop QR codes paid from "the phone", the mobile cashier pages left in the top
 * window and returned from, and WeChat's JSAPI pay sheet inside WeChat's browser.
 */
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Order } from '../../shared/schemas.ts';
import { launchBrowser, screenshot, VIEWPORTS } from './browser.ts';

const url = inject('tillUrl');
const fakes = inject('fakeUrls');
const secretKey = inject('merchantSecretKey');
let browser: Browser;

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Version/17.5 Mobile/15E148 Safari/604.1';
const WECHAT = `${IPHONE.replace(' Safari/604.1', '')} MicroMessenger/8.0.50(0x1800323a) NetType/WIFI Language/zh_CN`;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

async function newContext(kind: 'desktop' | 'mobile' | 'wechat'): Promise<BrowserContext> {
  if (kind === 'desktop') return browser.newContext({ viewport: VIEWPORTS.desktop });
  return browser.newContext({
    viewport: VIEWPORTS.mobile,
    userAgent: kind === 'wechat' ? WECHAT : IPHONE,
    isMobile: true,
    hasTouch: true,
  });
}

/** Script errors seen on a page. */
function watch(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** Opens the demo shop, pays in yuan and waits for the checkout to offer `method`. */
async function checkoutInYuan(page: Page, method: RegExp): Promise<{ frame: FrameLocator; orderId: string }> {
  await page.goto(`${url}/demo`);
  await page.getByLabel(/人民币/).check();
  await page.getByRole('button', { name: 'Checkout' }).click();
  const frame = page.frameLocator('iframe[title="Till checkout"]');
  await frame.getByRole('radio', { name: method }).check();
  const orderId = (await page.locator('#order-ref').innerText()).replace('Order ', '').trim();
  return { frame, orderId };
}

async function order(orderId: string): Promise<Order> {
  const response = await fetch(`${url}/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${secretKey}` } });
  return (await response.json()) as Order;
}

async function expectPaid(page: Page, frame: FrameLocator): Promise<void> {
  await frame.getByRole('heading', { name: /Payment successful|支付成功/ }).waitFor({ timeout: 20_000 });
  await page.locator('#thanks').waitFor({ state: 'visible' });
  await page.locator('#events li[data-type="order.paid"]').waitFor({ timeout: 20_000 });
  expect(await page.locator('#events li[data-type="order.paid"]').innerText()).toContain('signature verified');
}

describe('desktop QR codes, paid from the phone', () => {
  it('Alipay: the code opens the stand-in wallet, paying there shows paid at once', async () => {
    const context = await newContext('desktop');
    const page = await context.newPage();
    const errors = watch(page);
    const { frame, orderId } = await checkoutInYuan(page, /^Alipay$/);
    await frame.getByRole('button', { name: /^Pay / }).click();
    await frame.locator('.qr-payment').waitFor();
    await expect(frame.getByRole('timer').innerText()).resolves.toMatch(/1[45]:\d\d/);
    await screenshot(page, 'wallet-alipay-qr-desktop');

    // The shopper's phone scans the code: the payload is the wallet's URL.
    const payload = (await order(orderId)).attempts[0]?.next_action;
    expect(payload?.type).toBe('qr');
    const phone = await context.newPage();
    await phone.goto(payload?.type === 'qr' ? payload.payload : '');
    await screenshot(phone, 'wallet-alipay-phone');
    await phone.getByRole('button', { name: /Pay/ }).click();
    await expectPaid(page, frame);
    await screenshot(page, 'wallet-alipay-paid-desktop');
    expect((await order(orderId)).attempts[0]).toMatchObject({ channel: 'alipay', method: 'qr', status: 'succeeded' });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('WeChat Pay: a weixin:// code is shown without a link; paying it on the phone shows paid', async () => {
    const context = await newContext('desktop');
    const page = await context.newPage();
    const errors = watch(page);
    const { frame, orderId } = await checkoutInYuan(page, /WeChat Pay/);
    await frame.getByRole('button', { name: /^Pay / }).click();
    await frame.locator('.qr-payment').waitFor();
    expect(await frame.locator('.qr-payment a').count()).toBe(0);
    await screenshot(page, 'wallet-wechat-qr-desktop');

    const action = (await order(orderId)).attempts[0]?.next_action;
    const code = action?.type === 'qr' ? action.payload : '';
    expect(code).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    const phone = await context.newPage();
    await phone.goto(
      `${fakes.wechatpay}/_fake/scan?pr=${encodeURIComponent(new URL(code).searchParams.get('pr') ?? '')}`,
    );
    await phone.getByRole('button', { name: /Pay/ }).click();
    await expectPaid(page, frame);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('phone browsers: the cashier page in the top window, and back', () => {
  it('Alipay wap pay: leaves the shop for the cashier, pays, and the shop shows the paid checkout again', async () => {
    const context = await newContext('mobile');
    const page = await context.newPage();
    const errors = watch(page);
    const { frame, orderId } = await checkoutInYuan(page, /^Alipay$/);
    await frame.getByRole('button', { name: /^Pay / }).click();
    // The whole tab goes to the cashier (cashiers refuse to be framed).
    await page
      .waitForURL((target) => target.href.startsWith(fakes.alipay), { timeout: 15_000 })
      .catch(async (error: unknown) => {
        await screenshot(page, 'wallet-alipay-wap-stuck');
        throw error;
      });
    await screenshot(page, 'wallet-alipay-wap-cashier');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL((target) => target.href.startsWith(`${url}/demo`), { timeout: 15_000 });
    const back = page.frameLocator('iframe[title="Till checkout"]');
    await expectPaid(page, back);
    await screenshot(page, 'wallet-alipay-wap-returned');
    expect((await order(orderId)).attempts[0]).toMatchObject({ channel: 'alipay', method: 'wap', status: 'succeeded' });
    expect(errors).toEqual([]);
    expect(frame).toBeDefined();
    await context.close();
  });

  it('WeChat Pay H5: the same round trip through the H5 cashier', async () => {
    const context = await newContext('mobile');
    const page = await context.newPage();
    const errors = watch(page);
    const { frame, orderId } = await checkoutInYuan(page, /WeChat Pay/);
    await frame.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL((target) => target.href.startsWith(fakes.wechatpay), { timeout: 15_000 });
    await screenshot(page, 'wallet-wechat-h5-cashier');
    await page.getByRole('button', { name: /Pay/ }).click();
    await page.waitForURL((target) => target.href.startsWith(`${url}/demo`), { timeout: 15_000 });
    await expectPaid(page, page.frameLocator('iframe[title="Till checkout"]'));
    await screenshot(page, 'wallet-wechat-h5-returned');
    expect((await order(orderId)).attempts[0]).toMatchObject({
      channel: 'wechatpay',
      method: 'h5',
      status: 'succeeded',
    });
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('inside WeChat', () => {
  it('JSAPI: the loader opens WeChat’s pay sheet in the top window; paying there shows paid', async () => {
    const context = await newContext('wechat');
    // WeChat's browser provides WeixinJSBridge to the page; this stand-in hands the parameters
    // to the test (as the pay sheet would to WeChat) and answers ok once the test has paid.
    await context.addInitScript(() => {
      const w = window as unknown as { WeixinJSBridge: unknown; __tillPaySheet: unknown[] };
      w.__tillPaySheet = [];
      w.WeixinJSBridge = {
        invoke(name: string, params: Record<string, string>, callback: (result: { err_msg: string }) => void) {
          w.__tillPaySheet.push({ name, params, callback });
        },
      };
    });
    const page = await context.newPage();
    const errors = watch(page);
    const { frame, orderId } = await checkoutInYuan(page, /WeChat Pay/);
    // Inside WeChat there is no Alipay (WeChat blocks it), and WeChat Pay is its own pay sheet.
    expect(await frame.getByRole('radio', { name: /Alipay/ }).count()).toBe(0);
    await frame.getByRole('button', { name: /^Pay |支付/ }).click();
    const sheet = await page.waitForFunction(() => {
      const calls = (window as unknown as { __tillPaySheet: Array<{ name: string; params: Record<string, string> }> })
        .__tillPaySheet;
      return calls.length ? { name: calls[0]!.name, params: calls[0]!.params } : null;
    });
    const { name, params } = (await sheet.jsonValue())!;
    expect(name).toBe('getBrandWCPayRequest');
    expect(params).toMatchObject({
      appId: expect.any(String),
      package: expect.stringMatching(/^prepay_id=/),
      signType: 'RSA',
    });
    await screenshot(page, 'wallet-wechat-jsapi-sheet');

    // The shopper confirms in the sheet: the stand-in WeChat checks the paySign like WeChat does, and pays.
    const paid = await fetch(`${fakes.wechatpay}/_fake/jsapi/pay?deliver=1`, {
      method: 'POST',
      body: JSON.stringify(params),
    });
    expect(paid.status).toBe(200);
    await page.evaluate(() => {
      const calls = (window as unknown as { __tillPaySheet: Array<{ callback(result: { err_msg: string }): void }> })
        .__tillPaySheet;
      calls[0]!.callback({ err_msg: 'get_brand_wcpay_request:ok' });
    });
    await expectPaid(page, frame);
    await screenshot(page, 'wallet-wechat-jsapi-paid');
    expect((await order(orderId)).attempts[0]).toMatchObject({
      channel: 'wechatpay',
      method: 'jsapi',
      status: 'succeeded',
    });
    expect(errors).toEqual([]);
    await context.close();
  });
});
