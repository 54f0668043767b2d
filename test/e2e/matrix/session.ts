/**
 * One checkout open on the merchant's page, and what every state of it gets checked for: axe in the
 * frame and on the page, no CSP report, no script error, a screenshot. With the frame's controls,
 * found by structure (the Arabic context has no English text), and the events the page heard.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { expect } from 'vitest';
import { expectAccessible } from '../axe.ts';
import { SCREENSHOT_DIR } from '../browser.ts';
import type { RecordedEvent } from '../merchant-page.ts';
import { type MatrixContext, stage, url } from './stage.ts';

export interface Session {
  context: MatrixContext;
  page: Page;
  frame: Frame;
  /** Script errors and CSP reports from the console, in the page or the frame. */
  errors: string[];
  /** The frame document's CSP header. */
  frameCsp: Promise<string | null>;
}

export async function openCheckout(
  browserContext: BrowserContext,
  context: MatrixContext,
  token: string,
): Promise<Session> {
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
  await page.goto(stage.merchant.checkoutUrl(token, { locale: context.locale, theme: context.theme }));
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

export const events = (session: Session): Promise<RecordedEvent[]> =>
  session.page.evaluate(() => window.__events ?? []);

export async function waitForEvent(session: Session, type: string, timeout = 20_000): Promise<RecordedEvent> {
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
export async function shot(page: Page, name: string): Promise<void> {
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
export async function checkState(session: Session, state: string, options: { page?: boolean } = {}): Promise<void> {
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

export const payButton = (frame: Frame) => frame.locator('.pay button.primary');
/** The one Card (Till's router picks the processor) or the sandbox's QR code. */
export const radio = (frame: Frame, method: 'card' | 'qr') =>
  frame.locator(`input[type="radio"][value="${method === 'card' ? 'card:card' : 'sandbox:qr'}"]`);
export const cardInput = (frame: Frame, autocomplete: string) =>
  frame.locator(`.card-form input[autocomplete="${autocomplete}"]`);

/** Whether the Pay button can be used: present, visible, not aria-disabled, not busy. */
export async function expectPayEnabled(session: Session): Promise<void> {
  const button = payButton(session.frame);
  await button.waitFor({ state: 'visible', timeout: 15_000 });
  // The page may hear the outcome (live, over the socket) a moment before the frame's own request
  // returns and frees the button: wait for it, as a shopper would.
  await expect.poll(() => button.getAttribute('aria-busy'), { timeout: 5_000 }).not.toBe('true');
  expect(await button.getAttribute('aria-disabled')).not.toBe('true');
  expect(await button.getAttribute('aria-busy')).not.toBe('true');
  expect(await button.isDisabled()).toBe(false);
}

export interface Card {
  number: string;
  expiry?: string;
  cvc?: string;
  name?: string;
}

/** Fills the card form by mouse and typing: every field the form has (a name field if there is one). */
export async function fillCard(frame: Frame, card: Card): Promise<void> {
  await cardInput(frame, 'cc-number').fill(card.number);
  await cardInput(frame, 'cc-exp').fill(card.expiry ?? '12 / 34');
  await cardInput(frame, 'cc-csc').fill(card.cvc ?? '123');
  const name = cardInput(frame, 'cc-name');
  if (await name.count()) await name.fill(card.name ?? 'Ada Lovelace');
}

/** The changes the card form reported, latest last. */
export async function changeEvents(session: Session): Promise<Array<Record<string, unknown>>> {
  return (await events(session)).filter((event) => event.type === 'change').map((event) => event.payload ?? {});
}
