/** What a context adds to the checks: its looks, its native bridge, the frame's ancestors, the receipt. */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { expect } from 'vitest';
import type { RecordedEvent } from '../merchant-page.ts';
import { events, type Session } from './session.ts';
import { stage, url } from './stage.ts';

/** Context-specific looks of the first screen: the language and direction, the theme. */
export async function checkLooks(session: Session): Promise<void> {
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
export async function checkBridge(session: Session): Promise<void> {
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

export async function checkFrameAncestors(session: Session): Promise<void> {
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
    .toContain(stage.merchant.origin);
  expect.soft(ancestors, 'frame-ancestors is not a wildcard').not.toContain('*');
}

export async function verifyReceipt(paid: RecordedEvent, orderId: string, amount: number): Promise<void> {
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
