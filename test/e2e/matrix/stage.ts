/**
 * Where the checkout matrix runs: the contexts a shopper meets the checkout in (devices, webviews
 * with their native bridges, theme, language, keyboard), the browser and the merchant's page the
 * checkout is mounted on, and the merchant's orders.
 */
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { launchBrowser } from '../browser.ts';
import { type MerchantPage, merchantApi, type RecordedViolation, startMerchantPage } from '../merchant-page.ts';

export const url = inject('tillUrl');
const secretKey = inject('merchantSecretKey');
export const api = merchantApi(url, secretKey);

const ANDROID_WEBVIEW =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) ' +
  'AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.0.0 Mobile Safari/537.36';
const IOS_WKWEBVIEW =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';

type Bridge = 'android' | 'ios' | 'react-native';

export interface MatrixContext {
  name: string;
  browser: BrowserContextOptions;
  locale?: string;
  theme?: 'dark';
  bridge?: Bridge;
  keyboard?: boolean;
}

const phone = (width: number, height: number): BrowserContextOptions => ({
  viewport: { width, height },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
});

export const CONTEXTS: MatrixContext[] = [
  { name: 'desktop', browser: { viewport: { width: 1280, height: 900 } } },
  { name: 'mobile', browser: phone(375, 812) },
  { name: 'narrow', browser: phone(320, 640) },
  { name: 'android', browser: { ...phone(412, 915), userAgent: ANDROID_WEBVIEW }, bridge: 'android' },
  { name: 'ios', browser: { ...phone(390, 844), userAgent: IOS_WKWEBVIEW }, bridge: 'ios' },
  { name: 'react-native', browser: { ...phone(360, 780), userAgent: ANDROID_WEBVIEW }, bridge: 'react-native' },
  { name: 'dark', browser: { viewport: { width: 1280, height: 900 }, colorScheme: 'dark' }, theme: 'dark' },
  { name: 'arabic', browser: { ...phone(375, 812), locale: 'ar' }, locale: 'ar' },
  { name: 'keyboard', browser: { viewport: { width: 1280, height: 900 } }, keyboard: true },
];

/** `MATRIX_ONLY=dark,arabic` runs those contexts alone; `MATRIX_DUMP=1` also writes each state's frame HTML. */
export const ONLY = process.env.MATRIX_ONLY?.split(',');

/** The browser and the merchant's page the checkout is mounted on, once setUpStage's hooks ran. */
export const stage = {} as { browser: Browser; merchant: MerchantPage };

/**
 * Before the file's tests, the merchant's page (its origin registered as the merchant's) and the
 * browser; after them, both closed.
 */
export function setUpStage(): void {
  beforeAll(async () => {
    stage.merchant = await startMerchantPage(url);
    // The merchant's page origin, as a merchant registers it (the frame may only be framed there).
    await api.allowOrigins(stage.merchant.origin);
    stage.browser = await launchBrowser();
  });

  afterAll(async () => {
    await stage.browser?.close();
    await stage.merchant?.close();
  });
}

declare global {
  interface Window {
    __native?: Array<{ bridge: Bridge; message: unknown }>;
  }
}

/**
 * What a native app injects before the page's scripts run (WKWebView user script, Android
 * addJavascriptInterface, react-native-webview): a bridge that records what it is handed.
 * Only in the top page, where the loader looks for it.
 */
function installBridge(bridge: Bridge): void {
  if (window.top !== window) return;
  const received: Array<{ bridge: Bridge; message: unknown }> = [];
  window.__native = received;
  const stub = { postMessage: (message: unknown) => void received.push({ bridge, message }) };
  const scope = window as unknown as Record<string, unknown>;
  if (bridge === 'android') scope.TillAndroid = stub;
  if (bridge === 'ios') scope.webkit = { messageHandlers: { till: stub } };
  if (bridge === 'react-native') scope.ReactNativeWebView = stub;
}

/** Records CSP violations inside the checkout frame (the merchant page records its own). */
function watchFrameCsp(tillOrigin: string): void {
  if (location.origin !== tillOrigin) return;
  const seen: RecordedViolation[] = [];
  window.__csp = seen;
  document.addEventListener('securitypolicyviolation', (e) => {
    seen.push({
      directive: e.effectiveDirective,
      blocked: e.blockedURI,
      source: `${e.sourceFile}:${e.lineNumber}`,
      sample: e.sample,
    });
  });
}

export async function newContext(context: MatrixContext, index: number): Promise<BrowserContext> {
  // Each context is another shopper, on another address: the checkout limits attempts per
  // client IP (20 a minute), which one machine running the whole matrix would otherwise exceed.
  const created = await stage.browser.newContext({
    ...context.browser,
    extraHTTPHeaders: { 'cf-connecting-ip': `198.51.100.${index + 10}` },
  });
  await created.addInitScript(watchFrameCsp, new URL(url).origin);
  if (context.bridge) await created.addInitScript(installBridge, context.bridge);
  return created;
}

export const AMOUNT = 2900;
export const newOrder = (description: string) => api.createOrder({ amount: AMOUNT, currency: 'USD', description });
