/** Debian's Chromium driven by playwright-core: never a downloaded browser. */
import { mkdirSync } from 'node:fs';
import { type Browser, chromium, type FrameLocator, type Locator, type Page } from 'playwright-core';

export const SCREENSHOT_DIR = 'test-results/screenshots';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** No sandbox in the container, no GPU, and nothing that reaches for the network on its own. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, fullPage: true });
}

/**
 * Waits for `locator`; when it never comes, the error carries what the shopper saw (the frame's
 * text) and a screenshot `<name>-FAILED` is kept, so a failure seen once under load can be read.
 */
export async function waitOrExplain(
  page: Page,
  frame: FrameLocator,
  locator: Locator,
  name: string,
  timeout = 20_000,
): Promise<void> {
  try {
    await locator.waitFor({ timeout });
  } catch (error) {
    await screenshot(page, `${name}-FAILED`).catch(() => undefined);
    const shown = await frame
      .locator('body')
      .innerText({ timeout: 2000 })
      .catch(() => '(the frame could not be read)');
    throw new Error(`${(error as Error).message}\nThe checkout showed:\n${shown}`);
  }
}

export const VIEWPORTS = {
  desktop: { width: 1280, height: 900 },
  mobile: { width: 375, height: 812 },
} as const;
