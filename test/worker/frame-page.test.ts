/**
 * The checkout frame's page carries a strict CSP whose frame-ancestors are the order's merchant's
 * allowed origins. (Static assets are not served inside the test pool: the page's body is covered
 * by the browser tests; its headers are the worker's and are covered here.)
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, card, createMerchant, newOrder, pay } from './helpers.ts';

const directives = (policy: string | null): Map<string, string> =>
  new Map(
    (policy ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values.join(' ')]),
  );

describe('the checkout frame page', () => {
  it("may be framed only by the merchant's allowed origins and by Till itself", async () => {
    const shop = await createMerchant();
    await call(`/v1/admin/merchants/${shop.id}`, {
      key: env.TILL_ADMIN_KEY,
      body: { allowed_origins: ['https://shop.example', 'https://www.shop.example:8443'] },
    });
    const order = await newOrder(shop.secret_key);
    for (const path of ['/v1/frame', '/v1/frame.html']) {
      const { headers } = await call(`${path}?order=${order.id}`);
      const policy = directives(headers.get('content-security-policy'));
      expect(policy.get('frame-ancestors')).toBe("'self' https://shop.example https://www.shop.example:8443");
      expect(headers.get('cache-control')).toBe('no-cache');
      expect(headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('runs only its own code: no inline script or style, no other origin', async () => {
    const shop = await createMerchant();
    const order = await newOrder(shop.secret_key);
    const policy = directives((await call(`/v1/frame?order=${order.id}`)).headers.get('content-security-policy'));
    expect(Object.fromEntries(policy)).toEqual({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data:",
      'connect-src': "'self'",
      'font-src': "'self'",
      'form-action': "'self'",
      'base-uri': "'none'",
      // A merchant that listed no origin can have its checkout opened on its own, not framed.
      'frame-ancestors': "'self'",
    });
  });

  it('leaves out an IPv6 origin, which CSP cannot name (it would void the whole directive)', async () => {
    const shop = await createMerchant();
    await call(`/v1/admin/merchants/${shop.id}`, {
      key: env.TILL_ADMIN_KEY,
      body: { allowed_origins: ['http://[::1]:8080', 'https://shop.example'] },
    });
    const order = await newOrder(shop.secret_key);
    const policy = directives((await call(`/v1/frame?order=${order.id}`)).headers.get('content-security-policy'));
    expect(policy.get('frame-ancestors')).toBe("'self' https://shop.example");
  });

  it('lets no site frame the page of an unknown or malformed order', async () => {
    for (const query of ['?order=ord_000000000000000000000000', '?order=../../v1/merchant', '']) {
      const policy = directives((await call(`/v1/frame${query}`)).headers.get('content-security-policy'));
      expect(policy.get('frame-ancestors')).toBe("'self'");
    }
  });
});

describe("the sandbox bank's 3-D Secure page", () => {
  it("may be framed where the order's checkout frame may be: it opens inside that frame", async () => {
    const shop = await createMerchant();
    await call(`/v1/admin/merchants/${shop.id}`, {
      key: env.TILL_ADMIN_KEY,
      body: { allowed_origins: ['https://shop.example'] },
    });
    const order = await newOrder(shop.secret_key);
    const started = await pay(order, card('4000000000003220'));
    const action = started.body.attempt?.next_action;
    expect(action?.type).toBe('three_ds');
    const challengePath = new URL((action as { url: string }).url).pathname;
    const page = await call(challengePath);
    expect(page.status).toBe(200);
    expect(directives(page.headers.get('content-security-policy')).get('frame-ancestors')).toBe(
      "'self' https://shop.example",
    );
    // The other sandbox pages (the wallet a QR code opens) are never framed by a merchant.
    const missing = await call('/sandbox/scan/att_00000000000000000000');
    expect(directives(missing.headers.get('content-security-policy')).get('frame-ancestors')).toBe("'self'");
  });
});
