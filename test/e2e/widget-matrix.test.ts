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
 * requires_action → the bank's page in the top window → back, paid; QR → canceled by the
 * merchant; a bad token → load error), one after the other in one browser.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR } from './browser.ts';
import { checkBridge, checkFrameAncestors, checkLooks, verifyReceipt } from './matrix/checks.ts';
import { focused, isInput, tabTo, typeCardAndPay } from './matrix/keyboard.ts';
import {
  cardInput,
  changeEvents,
  checkState,
  events,
  expectPayEnabled,
  fillCard,
  openCheckout,
  payButton,
  radio,
  type Session,
  shot,
  waitForEvent,
} from './matrix/session.ts';
import { AMOUNT, api, CONTEXTS, type MatrixContext, newContext, newOrder, ONLY, setUpStage } from './matrix/stage.ts';

beforeAll(() => {
  // This run's screenshots only, for the contexts it runs.
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const name of readdirSync(SCREENSHOT_DIR)) {
    if (
      CONTEXTS.some((context) => (!ONLY || ONLY.includes(context.name)) && name.startsWith(`matrix-${context.name}-`))
    )
      rmSync(`${SCREENSHOT_DIR}/${name}`);
  }
});

setUpStage();

// ——— The flows ———

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
    channel: 'card',
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

/**
 * requires_action: the 3-D Secure card opens the bank's challenge (the Stripe stand-in's page, the
 * demo merchant's cards going to Stripe) in the top window, as a cashier page does; completing it
 * brings the shopper back to the merchant's page, where the checkout mounts again and says paid.
 */
async function challengeFlow(browserContext: BrowserContext, context: MatrixContext): Promise<void> {
  const order = await newOrder('Matrix: 3-D Secure');
  const session = await openCheckout(browserContext, context, order.client_token);
  const { page, frame } = session;
  await cardInput(frame, 'cc-number').waitFor({ state: 'visible', timeout: 15_000 });
  if (context.keyboard) {
    await tabTo(session, isInput('cc-number'), 'the card number');
    await typeCardAndPay(session, { number: '4000000000003220' });
  } else {
    await fillCard(frame, { number: '4000 0000 0000 3220' });
    await payButton(frame).click();
  }
  const complete = page.getByRole('button', { name: 'Complete authentication' });
  await complete.waitFor({ timeout: 15_000 }).catch(async (error: unknown) => {
    await shot(page, `matrix-${context.name}-requires-action`);
    throw new Error(
      `${context.name}: the bank's challenge did not open in the top window (${page.url()}): ` +
        `${(error as Error).message.split('\n')[0]}`,
    );
  });
  await shot(page, `matrix-${context.name}-challenge`);
  if (context.keyboard) {
    // The bank's page, reached and answered with the keyboard alone.
    for (let i = 0; i < 6 && !(await complete.evaluate((button) => button === document.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    expect(await complete.evaluate((button) => button === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
  } else {
    await complete.click();
  }
  // Back on the merchant's page, which mounts the same checkout again.
  const back = await reopened(session);
  // The page heard requires_action before it left (its event log survives the trip).
  expect((await waitForEvent(back, 'requires_action')).payload).toEqual({ type: 'three_ds' });
  const paid = await waitForEvent(back, 'paid');
  await verifyReceipt(paid, order.id, AMOUNT);
  await back.frame.locator('.outcome-success').waitFor({ timeout: 15_000 });
  await checkState(back, 'paid-after-3ds');
  await page.close();
}

/** The session once the page came back from the top window's trip: the checkout's new frame. */
async function reopened(session: Session): Promise<Session> {
  const { page } = session;
  await page.waitForURL((url) => url.pathname === '/checkout', { timeout: 20_000 });
  const handle = await page.locator('#checkout iframe').elementHandle({ timeout: 15_000 });
  const frame = await handle?.contentFrame();
  if (!frame) throw new Error(`${session.context.name}: no checkout frame after coming back`);
  return { ...session, frame };
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
