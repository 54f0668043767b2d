/**
 * Every state of the checkout in every context a shopper meets it in: desktop, phones down to a
 * 320 px webview, Android and iOS webviews with their native bridges, a React Native app, the
 * dark theme, Arabic (right to left) and keyboard alone. The checkout is mounted the way a
 * merchant mounts it — `Till.mount` on the merchant's own origin, under a nonce-only CSP — and
 * in each state:
 *
 * - axe-core finds no WCAG 2.0/2.1 A/AA or best-practice violation inside the frame (and none
 *   on the merchant page around it, where the loader's iframe lives);
 * - no CSP violation fires, in the page or in the frame, and no script error;
 * - a screenshot is written to test-results/screenshots/matrix-<context>-<state>.png.
 *
 * Failures are collected with expect.soft, so one run reports every cell of the matrix. Each
 * context runs four flows (card: methods → card errors → declined → paid; 3-D Secure:
 * requires_action → paid; QR → canceled by the merchant; a bad token → load error), one after
 * the other in one browser.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Browser, BrowserContext, BrowserContextOptions, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectAccessible } from './axe.ts';
import { launchBrowser, SCREENSHOT_DIR } from './browser.ts';
import {
  type MerchantPage,
  merchantApi,
  type RecordedEvent,
  type RecordedViolation,
  startMerchantPage,
} from './merchant-page.ts';

const url = inject('tillUrl');
const secretKey = inject('merchantSecretKey');
const api = merchantApi(url, secretKey);

const ANDROID_WEBVIEW =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) ' +
  'AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.0.0 Mobile Safari/537.36';
const IOS_WKWEBVIEW =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';

type Bridge = 'android' | 'ios' | 'react-native';

interface MatrixContext {
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

const CONTEXTS: MatrixContext[] = [
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
const ONLY = process.env.MATRIX_ONLY?.split(',');

let browser: Browser;
let merchant: MerchantPage;

beforeAll(async () => {
  // This run's screenshots only, for the contexts it runs.
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const name of readdirSync(SCREENSHOT_DIR)) {
    if (
      CONTEXTS.some((context) => (!ONLY || ONLY.includes(context.name)) && name.startsWith(`matrix-${context.name}-`))
    )
      rmSync(`${SCREENSHOT_DIR}/${name}`);
  }
  merchant = await startMerchantPage(url);
  // The merchant's page origin, as a merchant registers it (the frame may only be framed there).
  await api.allowOrigins(merchant.origin);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await merchant?.close();
});

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

async function newContext(context: MatrixContext, index: number): Promise<BrowserContext> {
  // Each context is another shopper, on another address: the checkout limits attempts per
  // client IP (20 a minute), which one machine running the whole matrix would otherwise exceed.
  const created = await browser.newContext({
    ...context.browser,
    extraHTTPHeaders: { 'cf-connecting-ip': `198.51.100.${index + 10}` },
  });
  await created.addInitScript(watchFrameCsp, new URL(url).origin);
  if (context.bridge) await created.addInitScript(installBridge, context.bridge);
  return created;
}

interface Session {
  context: MatrixContext;
  page: Page;
  frame: Frame;
  /** Script errors and CSP reports from the console, in the page or the frame. */
  errors: string[];
  /** The frame document's CSP header. */
  frameCsp: Promise<string | null>;
}

async function openCheckout(browserContext: BrowserContext, context: MatrixContext, token: string): Promise<Session> {
  const page = await browserContext.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text()))
      errors.push(`console: ${message.text()}`);
  });
  const frameCsp = page
    .waitForResponse((response) => response.url().startsWith(`${url}/v1/frame`), { timeout: 15_000 })
    .then((response) => response.headers()['content-security-policy'] ?? null)
    .catch(() => null);
  await page.goto(merchant.checkoutUrl(token, { locale: context.locale, theme: context.theme }));
  const handle = await page
    .locator('#checkout iframe')
    .elementHandle({ timeout: 10_000 })
    .catch(async (error: unknown) => {
      const mountError = await page.evaluate(() => window.__mountError).catch(() => undefined);
      throw new Error(
        `${context.name}: no checkout iframe on the merchant page (mount error: ` +
          `${mountError}; ${errors.join('; ')}): ${(error as Error).message}`,
      );
    });
  const frame = await handle.contentFrame();
  if (!frame) throw new Error('the checkout iframe has no frame');
  return { context, page, frame, errors, frameCsp };
}

const events = (session: Session): Promise<RecordedEvent[]> => session.page.evaluate(() => window.__events ?? []);

async function waitForEvent(session: Session, type: string, timeout = 20_000): Promise<RecordedEvent> {
  const handle = await session.page.waitForFunction(
    (wanted) => window.__events?.find((event) => event.type === wanted),
    type,
    { timeout },
  );
  return (await handle.jsonValue()) as RecordedEvent;
}

/** Lets finite transitions finish, so contrast and screenshots see the settled state. */
async function settle(frame: Frame): Promise<void> {
  await frame
    .evaluate(async () => {
      const finite = document
        .getAnimations()
        .filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity);
      await Promise.race([
        Promise.all(finite.map((animation) => animation.finished.catch(() => undefined))),
        new Promise((r) => setTimeout(r, 1000)),
      ]);
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    })
    .catch(() => undefined);
}

/**
 * A full-page screenshot over CDP. Playwright's page.screenshot() re-applies the mobile
 * emulation, after which Chromium hit-tests the out-of-process frame at stale coordinates when
 * the page fits in the viewport (clicks in the frame then land on the wrong element); a plain
 * Page.captureScreenshot leaves the emulation alone.
 */
async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Captured beyond the viewport, an out-of-process frame is drawn at the page's scroll offset
  // of the moment: from the top, it is drawn where it is.
  await page.evaluate(
    () =>
      new Promise((resolve) => {
        window.scrollTo(0, 0);
        requestAnimationFrame(() => requestAnimationFrame(resolve));
      }),
  );
  const cdp = await page.context().newCDPSession(page);
  try {
    const { cssContentSize } = await cdp.send('Page.getLayoutMetrics');
    const { data } = await cdp.send('Page.captureScreenshot', {
      format: 'png',
      captureBeyondViewport: true,
      clip: { x: 0, y: 0, width: cssContentSize.width, height: cssContentSize.height, scale: 1 },
    });
    writeFileSync(`${SCREENSHOT_DIR}/${name}.png`, Buffer.from(data, 'base64'));
  } finally {
    await cdp.detach();
  }
}

/** The checks every state gets: axe in the frame and on the page, no CSP report, no error, a screenshot. */
async function checkState(session: Session, state: string, options: { page?: boolean } = {}): Promise<void> {
  const { page, frame, context } = session;
  const label = `${context.name}/${state}`;
  await settle(frame);
  await shot(page, `matrix-${context.name}-${state}`);
  if (process.env.MATRIX_DUMP) {
    const html = await frame
      .evaluate(() => document.documentElement.outerHTML)
      .catch((error: unknown) => String(error));
    writeFileSync(`${SCREENSHOT_DIR}/matrix-${context.name}-${state}.html`, html);
  }
  // The frame alone, except the one rule about the whole page: the checkout's headings sit under
  // the merchant's own h1 (page-has-heading-one is checked across frames by the page run below).
  await expectAccessible(frame, `${label} (frame ${frame.url().replace(/#.*/, '')})`, {
    soft: true,
    disableRules: ['page-has-heading-one'],
  });
  // The merchant page with the frame in it, as one page: the loader's iframe and page-level rules.
  if (options.page)
    await expectAccessible(page, `${label} (merchant page with the frame)`, { soft: true, iframes: true });
  // Embedded, the frame is as tall as its content and cannot be scrolled by the shopper
  // (overflow: hidden): scrolled, its top would be cut off for good.
  const scrolled = await frame.evaluate(() => ({
    scrollTop: document.scrollingElement?.scrollTop ?? 0,
    content: document.documentElement.scrollHeight,
    frame: window.innerHeight,
  }));
  expect
    .soft(
      scrolled.scrollTop,
      `${label}: the frame's document is not scrolled (content ${scrolled.content} px in a ${scrolled.frame} px frame)`,
    )
    .toBe(0);
  const pageCsp = await page.evaluate(() => window.__csp ?? []);
  const frameCsp = await frame.evaluate(() => window.__csp ?? []).catch(() => []);
  expect.soft([...pageCsp, ...frameCsp], `${label}: CSP violations`).toEqual([]);
  expect.soft(session.errors, `${label}: script errors or CSP reports`).toEqual([]);
}

// ——— What the frame shows, found by structure (the Arabic context has no English text) ———

const payButton = (frame: Frame) => frame.locator('.pay button.primary');
const radio = (frame: Frame, method: 'card' | 'qr') => frame.locator(`input[type="radio"][value="sandbox:${method}"]`);
const cardInput = (frame: Frame, autocomplete: string) =>
  frame.locator(`.card-form input[autocomplete="${autocomplete}"]`);

/** Whether the Pay button can be used: present, visible, not aria-disabled, not busy. */
async function expectPayEnabled(session: Session): Promise<void> {
  const button = payButton(session.frame);
  await button.waitFor({ state: 'visible', timeout: 15_000 });
  expect(await button.getAttribute('aria-disabled')).not.toBe('true');
  expect(await button.getAttribute('aria-busy')).not.toBe('true');
  expect(await button.isDisabled()).toBe(false);
}

interface Card {
  number: string;
  expiry?: string;
  cvc?: string;
  name?: string;
}

/** Fills the card form by mouse and typing: every field the form has (a name field if there is one). */
async function fillCard(frame: Frame, card: Card): Promise<void> {
  await cardInput(frame, 'cc-number').fill(card.number);
  await cardInput(frame, 'cc-exp').fill(card.expiry ?? '12 / 34');
  await cardInput(frame, 'cc-csc').fill(card.cvc ?? '123');
  const name = cardInput(frame, 'cc-name');
  if (await name.count()) await name.fill(card.name ?? 'Ada Lovelace');
}

/** Context-specific looks of the first screen: the language and direction, the theme. */
async function checkLooks(session: Session): Promise<void> {
  const { frame, context } = session;
  const label = context.name;
  if (context.locale === 'ar') {
    const root = await frame.evaluate(() => ({
      dir: document.documentElement.dir,
      lang: document.documentElement.lang,
    }));
    expect
      .soft(root, `${label}: the frame's <html> is Arabic, right to left`)
      .toEqual({ dir: 'rtl', lang: expect.stringMatching(/^ar\b/) });
    const texts = await frame.evaluate(() => ({
      pay: document.querySelector('.pay button.primary')?.textContent ?? '',
      number: document.querySelector('label[for="card-number"]')?.textContent ?? '',
      legend: document.querySelector('.methods legend')?.textContent ?? '',
    }));
    for (const [what, text] of Object.entries(texts)) {
      expect.soft(text, `${label}: the ${what} text is in Arabic`).toMatch(/[\u0600-\u06FF]/);
    }
  }
  if (context.theme === 'dark') {
    const looks = await frame.evaluate(() => {
      const luminance = (color: string): number => {
        const [r, g, b] = (color.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((part) => {
          const channel = Number(part) / 255;
          return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const input = document.querySelector('#card-number') ?? document.querySelector('input');
      const text = document.querySelector('.checkout') ?? document.body;
      return {
        colorScheme: getComputedStyle(document.documentElement).colorScheme,
        text: luminance(getComputedStyle(text).color),
        field: input ? luminance(getComputedStyle(input).backgroundColor) : 1,
      };
    });
    expect.soft(looks.colorScheme, `${label}: the frame declares a dark color scheme`).toContain('dark');
    expect.soft(looks.text, `${label}: text is light (relative luminance)`).toBeGreaterThan(0.5);
    expect.soft(looks.field, `${label}: card fields are dark (relative luminance)`).toBeLessThan(0.2);
  }
}

/** The native bridge heard exactly what the page heard, in the bridge's own format. */
async function checkBridge(session: Session): Promise<void> {
  const bridge = session.context.bridge;
  if (!bridge) return;
  const heard = await events(session);
  const native = await session.page.evaluate(() => window.__native ?? []);
  for (const entry of native) {
    // React Native's and Android's bridges take strings; WKWebView's message handlers take objects.
    expect(typeof entry.message, `${bridge} bridge message format`).toBe(bridge === 'ios' ? 'object' : 'string');
  }
  const messages = native.map(
    (entry) =>
      (typeof entry.message === 'string' ? JSON.parse(entry.message) : entry.message) as Record<string, unknown>,
  );
  expect(
    messages.map((message) => message.type),
    `${bridge}: the bridge heard every event the page heard, in order`,
  ).toEqual(heard.map((event) => event.type));
  for (const type of ['ready', 'paid']) {
    const onPage = heard.find((event) => event.type === type);
    expect(onPage, `the page heard ${type}`).toBeDefined();
    const expected: Record<string, unknown> = { source: 'till', type };
    if (onPage!.payload !== undefined) expected.payload = onPage!.payload;
    expect(
      messages.find((message) => message.type === type),
      `${bridge}: ${type} as the page heard it`,
    ).toEqual(expected);
  }
}

async function checkFrameAncestors(session: Session): Promise<void> {
  const csp = await session.frameCsp;
  const ancestors =
    /frame-ancestors ([^;]*)/
      .exec(csp ?? '')?.[1]
      ?.trim()
      .split(/\s+/) ?? [];
  expect
    .soft(
      ancestors,
      `${session.context.name}: the frame's CSP names the merchant's allowed origins in frame-ancestors (got ${csp})`,
    )
    .toContain(merchant.origin);
  expect.soft(ancestors, 'frame-ancestors is not a wildcard').not.toContain('*');
}

async function verifyReceipt(paid: RecordedEvent, orderId: string, amount: number): Promise<void> {
  expect(paid.payload).toMatchObject({ order_id: orderId, receipt: expect.any(String) });
  const { payload, protectedHeader } = await jwtVerify(
    String(paid.payload!.receipt),
    createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`)),
    {
      issuer: 'till',
      typ: 'till-receipt+jwt',
    },
  );
  expect(protectedHeader.alg).toBe('EdDSA');
  expect(payload).toMatchObject({ sub: orderId, amt: amount, cur: 'USD' });
}

/** The changes the card form reported, latest last. */
async function changeEvents(session: Session): Promise<Array<Record<string, unknown>>> {
  return (await events(session)).filter((event) => event.type === 'change').map((event) => event.payload ?? {});
}

// ——— Keyboard ———

interface Focused {
  inFrame: boolean;
  tag: string;
  id: string;
  type: string;
  value: string;
  text: string;
  focusVisible: boolean;
  /** An outline or a box-shadow on the element, or on the label or field around it. */
  indicator: boolean;
}

/** What has the keyboard focus: on the page, or (when the page's focus is the iframe) in the frame. */
async function focused(session: Session): Promise<Focused> {
  const describe = () => {
    const element = document.activeElement as HTMLElement | null;
    const onBody = !element || element === document.body;
    const around = element ? [element, element.closest('label'), element.closest('.method, .field')] : [];
    const indicator = around.some((node) => {
      if (!node) return false;
      const style = getComputedStyle(node);
      return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    });
    return {
      inFrame: false,
      tag: onBody ? 'body' : element!.tagName.toLowerCase(),
      id: element?.id ?? '',
      type: element?.getAttribute('type') ?? '',
      value: (element as HTMLInputElement | null)?.value ?? '',
      text: (element?.textContent ?? '').trim().slice(0, 40),
      focusVisible: !onBody && element!.matches(':focus-visible'),
      indicator: !onBody && indicator,
    };
  };
  const onPage = await session.page.evaluate(describe);
  if (onPage.tag !== 'iframe') return onPage;
  return { ...(await session.frame.evaluate(describe)), inFrame: true };
}

/** Presses Tab (or Shift+Tab) until `wanted` holds; every stop on the way must show where focus is. */
async function tabTo(
  session: Session,
  wanted: (focus: Focused) => boolean,
  what: string,
  options: { back?: boolean; max?: number } = {},
): Promise<Focused> {
  const stops: string[] = [];
  for (let i = 0; i < (options.max ?? 12); i++) {
    await session.page.keyboard.press(options.back ? 'Shift+Tab' : 'Tab');
    const focus = await focused(session);
    stops.push(`${focus.inFrame ? 'frame' : 'page'}:${focus.tag}#${focus.id}`);
    if (focus.tag !== 'body') {
      expect
        .soft(focus.focusVisible && focus.indicator, `${session.context.name}: visible focus on ${stops.at(-1)}`)
        .toBe(true);
    }
    if (wanted(focus)) return focus;
  }
  throw new Error(`keyboard: never reached ${what}; focus went ${stops.join(' → ')}`);
}

const isInput = (autocomplete: string) => (focus: Focused) =>
  focus.inFrame && focus.tag === 'input' && focus.id === idFor[autocomplete];
const idFor: Record<string, string> = { 'cc-number': 'card-number', 'cc-exp': 'card-expiry', 'cc-csc': 'card-cvc' };

/** Types a card with the keyboard alone, from the card number field on, then presses Enter. */
async function typeCardAndPay(session: Session, card: Card): Promise<void> {
  const { page, frame } = session;
  const fields = await frame.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement>('.card-form input')].map((input) => ({
      id: input.id,
      autocomplete: input.autocomplete,
    })),
  );
  const valueFor: Record<string, string> = {
    'cc-number': card.number,
    'cc-exp': (card.expiry ?? '1234').replace(/\D/g, ''),
    'cc-csc': card.cvc ?? '123',
    'cc-name': card.name ?? 'Ada Lovelace',
  };
  for (const [index, field] of fields.entries()) {
    if (index > 0) await tabTo(session, (focus) => focus.inFrame && focus.id === field.id, `#${field.id}`, { max: 1 });
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(valueFor[field.autocomplete] ?? 'x');
  }
  await page.keyboard.press('Enter');
}

// ——— The flows ———

const AMOUNT = 2900;
const newOrder = (description: string) => api.createOrder({ amount: AMOUNT, currency: 'USD', description });

/** methods → card errors → declined → paid, with the mouse (or, in the keyboard context, without it). */
async function cardFlow(browserContext: BrowserContext, context: MatrixContext): Promise<void> {
  const order = await newOrder('Matrix: card');
  const session = await openCheckout(browserContext, context, order.client_token);
  const { page, frame } = session;
  const keyboard = context.keyboard === true;

  // Methods: the card form is shown with the first method, and Pay is enabled.
  await radio(frame, 'card').waitFor({ state: 'attached', timeout: 15_000 });
  await cardInput(frame, 'cc-number').waitFor({ state: 'visible' });
  await waitForEvent(session, 'ready');
  if (keyboard) {
    // From the page: the merchant's link first, then into the frame, onto the chosen method.
    await tabTo(session, (focus) => !focus.inFrame && focus.tag === 'a', 'the page link', { max: 2 });
    await tabTo(session, (focus) => focus.inFrame && focus.type === 'radio', 'the method radio', { max: 1 });
    await page.keyboard.press('ArrowDown');
    expect(await radio(frame, 'qr').isChecked(), 'ArrowDown picks the next method').toBe(true);
    await page.keyboard.press('ArrowUp');
    expect(await radio(frame, 'card').isChecked(), 'ArrowUp picks the card again').toBe(true);
    const selected = (await events(session))
      .filter((event) => event.type === 'method_selected')
      .map((event) => event.payload?.method);
    expect(selected).toEqual(['qr', 'card']);
  } else {
    expect(await radio(frame, 'card').isChecked()).toBe(true);
  }
  await expectPayEnabled(session);
  await checkLooks(session);
  await checkFrameAncestors(session);
  await checkState(session, 'methods', { page: true });

  // Card errors: Pay with nothing typed shows every field's error and focuses the first.
  if (keyboard) {
    await tabTo(session, (focus) => focus.inFrame && focus.tag === 'button', 'the Pay button');
    await page.keyboard.press('Enter');
  } else {
    await payButton(frame).click();
  }
  await frame.locator('.field-error').first().waitFor({ timeout: 5_000 });
  const invalid = await frame.evaluate(() => {
    const inputs = [...document.querySelectorAll<HTMLInputElement>('.card-form input')];
    return {
      all: inputs.map((input) => input.getAttribute('aria-invalid')),
      described: inputs.every((input) => {
        const ids = input.getAttribute('aria-describedby')?.split(/\s+/) ?? [];
        return ids.some((id) => (document.getElementById(id)?.textContent ?? '').trim().length > 0);
      }),
      firstInvalid: inputs.find((input) => input.getAttribute('aria-invalid') === 'true')?.id,
      active: document.activeElement?.id,
    };
  });
  expect
    .soft(
      invalid.all.every((value) => value === 'true'),
      `${context.name}: every empty field is invalid`,
    )
    .toBe(true);
  expect.soft(invalid.described, `${context.name}: each invalid field is described by its error`).toBe(true);
  expect.soft(invalid.active, `${context.name}: focus on the first invalid field`).toBe(invalid.firstInvalid);
  await checkState(session, 'card-errors');

  // Declined: a well-formed card the bank refuses; the notice is announced, the page hears `failed`.
  if (keyboard) {
    expect((await focused(session)).id).toBe(invalid.firstInvalid);
    // From the first invalid field: back to the first field of the form, then type through.
    const first = await frame.evaluate(() => document.querySelector('.card-form input')?.id);
    if ((await focused(session)).id !== first)
      await tabTo(session, (focus) => focus.id === first, 'the first card field', { back: true });
    await typeCardAndPay(session, { number: '4000000000000002' });
  } else {
    await fillCard(frame, { number: '4000 0000 0000 0002' });
  }
  // Events cross a postMessage: give the last keystroke's change a moment to arrive.
  await expect
    .poll(async () => (await changeEvents(session)).at(-1)?.complete, { timeout: 3_000 })
    .toBe(true)
    .catch(() => undefined);
  const change = (await changeEvents(session)).at(-1);
  expect.soft(change, `${context.name}: a complete card reports change`).toMatchObject({
    channel: 'sandbox',
    method: 'card',
    kind: 'card',
    complete: true,
    empty: false,
    brand: 'visa',
  });
  expect.soft(change?.error ?? null, `${context.name}: change carries no error for a complete card`).toBeNull();
  if (!keyboard) await payButton(frame).click();
  const failed = await waitForEvent(session, 'failed');
  expect(failed.payload).toMatchObject({ code: 'card_declined', message: expect.any(String) });
  await frame.locator('.notice[role="alert"]').waitFor({ timeout: 10_000 });
  await expectPayEnabled(session);
  await checkState(session, 'declined');

  // Paid: a good card; the page hears `paid` with a receipt that verifies against the JWKS.
  if (keyboard) {
    await tabTo(session, isInput('cc-number'), 'the card number', { back: true });
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('4242424242424242');
    await page.keyboard.press('Enter');
  } else {
    await cardInput(frame, 'cc-number').fill('4242 4242 4242 4242');
    await payButton(frame).click();
  }
  const paid = await waitForEvent(session, 'paid');
  await frame.locator('.outcome-success').waitFor({ timeout: 10_000 });
  await verifyReceipt(paid, order.id, AMOUNT);
  if (keyboard) {
    // The news takes focus, so a keyboard or screen-reader user lands on it.
    const focus = await focused(session);
    expect
      .soft(focus.inFrame && /^h[1-6]$/.test(focus.tag), `keyboard: focus on the outcome heading (got ${focus.tag})`)
      .toBe(true);
  }
  await checkState(session, 'paid');
  await checkBridge(session);
  await page.close();
}

/** requires_action: the 3-D Secure card opens the bank's challenge in the frame; completing it pays. */
async function challengeFlow(browserContext: BrowserContext, context: MatrixContext): Promise<void> {
  const order = await newOrder('Matrix: 3-D Secure');
  const session = await openCheckout(browserContext, context, order.client_token);
  const { page, frame } = session;
  await cardInput(frame, 'cc-number').waitFor({ state: 'visible', timeout: 15_000 });
  const challengePolicy = page
    .waitForResponse((response) => response.url().includes('/sandbox/challenge/'), { timeout: 20_000 })
    .then((response) => response.headers()['content-security-policy'] ?? '(none)')
    .catch(() => '(no response)');
  if (context.keyboard) {
    await tabTo(session, isInput('cc-number'), 'the card number');
    await typeCardAndPay(session, { number: '4000000000003220' });
  } else {
    await fillCard(frame, { number: '4000 0000 0000 3220' });
    await payButton(frame).click();
  }
  const action = await waitForEvent(session, 'requires_action');
  expect(action.payload).toEqual({ type: 'three_ds' });
  await frame.waitForURL(/\/sandbox\/challenge\//, { timeout: 15_000 }).catch(async (error: unknown) => {
    await shot(page, `matrix-${context.name}-requires-action`);
    throw new Error(
      `${context.name}: the 3-D Secure challenge did not open in the frame under the merchant's page ` +
        `(${(error as Error).message.split('\n')[0]}); the challenge page's CSP: ${await challengePolicy}`,
    );
  });
  const complete = frame.locator('button[value="succeed"]');
  await complete.waitFor({ timeout: 10_000 }).catch(async (error: unknown) => {
    await shot(page, `matrix-${context.name}-requires-action`);
    throw new Error(
      `${context.name}: the challenge page did not show in the frame (${frame.url()}): ${(error as Error).message}`,
    );
  });
  await checkState(session, 'requires-action');
  if (context.keyboard) {
    await tabTo(
      session,
      (focus) => focus.inFrame && focus.tag === 'button' && focus.text === 'Complete authentication',
      'Complete authentication',
    );
    await page.keyboard.press('Enter');
  } else {
    await complete.click();
  }
  const paid = await waitForEvent(session, 'paid');
  await verifyReceipt(paid, order.id, AMOUNT);
  await frame.locator('.outcome-success').waitFor({ timeout: 15_000 });
  await checkState(session, 'paid-after-3ds');
  await page.close();
}

/** QR: the sandbox code shows and waits; the merchant cancels the order and the frame says so. */
async function qrFlow(browserContext: BrowserContext, context: MatrixContext): Promise<void> {
  const order = await newOrder('Matrix: QR');
  const session = await openCheckout(browserContext, context, order.client_token);
  const { page, frame } = session;
  await radio(frame, 'qr').waitFor({ state: 'attached', timeout: 15_000 });
  if (context.keyboard) {
    await tabTo(session, (focus) => focus.inFrame && focus.type === 'radio', 'the method radio');
    await page.keyboard.press('ArrowDown');
    await tabTo(session, (focus) => focus.inFrame && focus.tag === 'button', 'the Pay button');
    await page.keyboard.press('Enter');
  } else {
    await radio(frame, 'qr').check();
    await payButton(frame).click();
  }
  await frame.locator('.qr-payment svg').first().waitFor({ timeout: 15_000 });
  expect(await waitForEvent(session, 'requires_action')).toMatchObject({ payload: { type: 'qr' } });
  await checkState(session, 'qr');

  await api.cancelOrder(order.id);
  await waitForEvent(session, 'canceled');
  await frame.locator('.outcome').waitFor({ timeout: 15_000 });
  await checkState(session, 'canceled');
  await page.close();
}

/**
 * A token whose signature is wrong: the frame cannot load the order and says so, offering no Retry that could not help.
 */
async function loadErrorFlow(browserContext: BrowserContext, context: MatrixContext): Promise<void> {
  const order = await newOrder('Matrix: bad token');
  const [header, payload, signature] = order.client_token.split('.');
  const otherTail = signature!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA';
  const tampered = `${header}.${payload}.${signature!.slice(0, -4)}${otherTail}`;
  const session = await openCheckout(browserContext, context, tampered);
  const error = await waitForEvent(session, 'error');
  expect(error.payload).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  await session.frame.locator('.outcome-danger').waitFor({ timeout: 10_000 });
  // The shopper reads the frame's own words, not the developer message the host got.
  expect(await session.frame.locator('.outcome-danger').textContent()).not.toContain(String(error.payload?.message));
  expect(await session.frame.locator('.outcome-danger button').count()).toBe(0);
  await checkState(session, 'load-error');
  await session.page.close();
}

type Flow = (browserContext: BrowserContext, context: MatrixContext) => Promise<void>;

/**
 * Runs a flow; when it stops short, a screenshot of where it stopped: matrix-<context>-stopped-<flow>.png.
 * Flows run one after the other: focus inside an out-of-process frame follows one page at a
 * time, and the focus checks would see another page's clicks.
 */
async function run(flow: Flow, name: string, browserContext: BrowserContext, context: MatrixContext): Promise<void> {
  try {
    await flow(browserContext, context);
  } catch (error) {
    for (const page of browserContext.pages())
      await shot(page, `matrix-${context.name}-stopped-${name}`).catch(() => undefined);
    throw error;
  } finally {
    for (const page of browserContext.pages()) await page.close().catch(() => undefined);
  }
}

for (const [index, context] of CONTEXTS.entries()) {
  if (ONLY && !ONLY.includes(context.name)) continue;
  describe(`checkout matrix: ${context.name}`, () => {
    let browserContext: BrowserContext;

    beforeAll(async () => {
      browserContext = await newContext(context, index);
    });

    afterAll(async () => {
      await browserContext?.close();
    });

    it('card: methods, card errors, declined, paid', () => run(cardFlow, 'card', browserContext, context));
    it('3-D Secure: requires_action, then paid', () => run(challengeFlow, '3ds', browserContext, context));
    it('QR, then canceled by the merchant', () => run(qrFlow, 'qr', browserContext, context));
    it('load error: a token with a bad signature', () => run(loadErrorFlow, 'load-error', browserContext, context));
  });
}

describe('frame-ancestors', () => {
  it('a page on an origin the merchant did not allow cannot show the checkout', async () => {
    const stranger = await startMerchantPage(url, '127.0.0.2');
    const context = await browser.newContext({ extraHTTPHeaders: { 'cf-connecting-ip': '198.51.100.99' } });
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
