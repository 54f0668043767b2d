import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { toBase64Url, utf8 } from '../../shared/encoding.ts';
import type { PublicJwk } from '../../shared/jws.ts';
import { generateSigningKey } from '../../shared/jws.ts';
import { CheckoutSummarySchema } from '../../shared/schemas.ts';
import { type ClientTokenClaims, signClientToken, verifyReceipt } from '../../shared/tokens.ts';
import { call, card, createMerchant, newOrder, pay, retrieve, sandboxStub, summary } from './helpers.ts';

const merchant = await createMerchant();
const jwks = (await call<{ keys: PublicJwk[] }>('/.well-known/jwks.json')).body.keys;

describe('checkout API', () => {
  it(
    'sends a shopper back ' + 'only to the checkout, the merchant’s allowed origins or the order’s own return_url',
    async () => {
      const shop = await createMerchant();
      await call(`/v1/admin/merchants/${shop.id}`, {
        key: env.TILL_ADMIN_KEY,
        body: { allowed_origins: ['https://shop.example'] },
      });
      const order = await newOrder(shop.secret_key, { return_url: 'myshop://checkout/done' });
      const attempt = (return_url: string) => pay(order, { ...card('4242424242424242'), return_url });
      const elsewhere = await attempt('https://evil.example/phish');
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.body.error).toMatchObject({ code: 'invalid_parameter', param: 'return_url' });
      expect((await attempt('javascript:alert(1)')).body.error?.param).toBe('return_url');
      expect((await summary(order)).body.attempt).toBeNull();
      // The app's deep link the merchant's server gave, and its own pages, are fine.
      expect(
        (await pay(order, { channel: 'sandbox', method: 'qr', return_url: 'myshop://checkout/done' })).status,
      ).toBe(201);
      expect(
        (await pay(order, { channel: 'sandbox', method: 'qr', return_url: 'https://shop.example/cart?step=pay' }))
          .status,
      ).toBe(201);
    },
  );

  it('summarises the order and offers the sandbox methods', async () => {
    const order = await newOrder(merchant.secret_key);
    const { status, body, headers } = await summary(order);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body.order).toMatchObject({
      id: order.id,
      status: 'open',
      amount: 2900,
      currency: 'USD',
      merchant_name: 'Test shop',
    });
    // One Card, through Till's router (to the sandbox: this merchant has no card processor of its own).
    expect(body.methods.map((m) => `${m.channel}/${m.method}/${m.kind}`)).toEqual(['card/card/card', 'sandbox/qr/qr']);
    expect(body.attempt).toBeNull();
  });

  it('routes a card to the sandbox for a merchant with no processor, and tells the merchant so', async () => {
    const order = await newOrder(merchant.secret_key);
    const paid = await pay(order, { ...card('4242424242424242'), channel: 'card' });
    expect(paid.body.order.status).toBe('paid');
    expect(paid.body.attempt?.channel).toBe('sandbox');
    const [attempt] = (await retrieve(merchant.secret_key, order.id)).attempts;
    expect(attempt?.tries?.map((each) => [each.processor, each.result, each.left_nothing])).toEqual([
      ['sandbox', 'succeeded', true],
    ]);
    // The shopper's view names no processor's tries.
    expect(paid.body.attempt).not.toHaveProperty('tries');
  });

  it('refuses a missing token, a token for another order, an expired one and a forged amount', async () => {
    const order = await newOrder(merchant.secret_key);
    const other = await newOrder(merchant.secret_key);
    expect((await call(`/v1/checkout/${order.id}`)).status).toBe(401);
    const foreign = await summary(order, other.client_token);
    expect([foreign.status, foreign.body.error.code]).toEqual([401, 'token_mismatch']);

    const [header, payload, signature] = order.client_token.split('.') as [string, string, string];
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as ClientTokenClaims;
    const forged = `${header}.${toBase64Url(utf8(JSON.stringify({ ...claims, amt: 1 })))}.${signature}`;
    const tampered = await summary(order, forged);
    expect([tampered.status, tampered.body.error.code]).toEqual([401, 'invalid_client_token']);

    const key = JSON.parse(env.TILL_SIGNING_KEY);
    const expired = signClientToken({ ...claims, iat: claims.iat - 7200, exp: claims.iat - 3600 }, key);
    const late = await summary(order, expired);
    expect([late.status, late.body.error.code]).toEqual([401, 'expired_client_token']);

    // Validly signed by the platform, but for another amount than the order holds.
    const mismatched = signClientToken({ ...claims, amt: claims.amt + 1 }, key);
    const wrongAmount = await summary(order, mismatched);
    expect([wrongAmount.status, wrongAmount.body.error.code]).toEqual([401, 'token_mismatch']);

    const stranger = signClientToken(claims, await generateSigningKey());
    expect((await summary(order, stranger)).body.error.code).toBe('invalid_client_token');
  });

  it('pays with 4242 and returns a receipt that verifies against the JWKS', async () => {
    const order = await newOrder(merchant.secret_key);
    const { status, body } = await pay(order, card('4242 4242 4242 4242'));
    expect(status).toBe(201);
    expect(CheckoutSummarySchema.safeParse(body).success).toBe(true);
    expect(body.order.status).toBe('paid');
    expect(body.attempt).toMatchObject({ status: 'succeeded', instrument: { brand: 'visa', last4: '4242' } });
    expect(JSON.stringify(body)).not.toContain('4242424242424242');
    const receipt = verifyReceipt(body.receipt!, jwks);
    expect(receipt).toMatchObject({ sub: order.id, amt: 2900, cur: 'USD', att: body.attempt!.id, ch: 'sandbox' });
    const again = await pay(order, card('4242424242424242'));
    expect([again.status, again.body.error.code]).toEqual([409, 'order_not_payable']);
  });

  it('declines 0002 with a clear message, then accepts a retry', async () => {
    const order = await newOrder(merchant.secret_key);
    const declined = await pay(order, card('4000000000000002'));
    expect(declined.body.order.status).toBe('open');
    expect(declined.body.attempt?.failure).toEqual({ code: 'card_declined', message: 'Your card was declined.' });
    expect(declined.body.last_failure?.code).toBe('card_declined');
    const retried = await pay(order, card('4242424242424242'));
    expect(retried.body.order.status).toBe('paid');
    expect(retried.body.last_failure).toBeNull();
  });

  it('refuses invalid card input at the edge: Luhn, brand, security code length, a past expiry', async () => {
    const order = await newOrder(merchant.secret_key);
    const luhn = await pay(order, card('4242424242424241'));
    expect([luhn.status, luhn.body.error.code, luhn.body.error.param]).toEqual([
      400,
      'invalid_parameter',
      'card.number',
    ]);
    const unknown = await pay(order, { ...card('4242424242424242'), pin: '1234' });
    expect([unknown.status, unknown.body.error.code]).toEqual([400, 'unknown_parameter']);
    const refused = async (change: Record<string, unknown>) => {
      const attempt = card('4242424242424242');
      const answer = await pay(order, { ...attempt, card: { ...attempt.card, ...change } });
      return [answer.status, answer.body.error?.param, answer.body.error?.message];
    };
    const lastYear = new Date().getUTCFullYear() - 1;
    expect(await refused({ exp_year: lastYear })).toEqual([
      400,
      'card.exp_year',
      'Invalid card.exp_year: the card has expired',
    ]);
    expect(await refused({ number: '1234567812345670' })).toEqual([
      400,
      'card.number',
      'Invalid card.number: card brand is not accepted: ' +
        'Visa, Mastercard, American Express, Discover, JCB, Diners Club, UnionPay are',
    ]);
    expect(await refused({ cvc: '1234' })).toEqual([
      400,
      'card.cvc',
      'Invalid card.cvc: cvc must be 3 digits for Visa',
    ]);
    expect(await refused({ number: '378282246310005', cvc: '123' })).toEqual([
      400,
      'card.cvc',
      'Invalid card.cvc: cvc must be 4 digits for American Express',
    ]);
    const channel = await pay(order, { channel: 'bitcoin', method: 'x' });
    expect([channel.status, channel.body.error.code]).toEqual([400, 'channel_not_available']);
    expect((await summary(order)).body.attempt).toBeNull();
  });

  it('sends 3220 through a 3-D Secure challenge that returns to the widget', async () => {
    const order = await newOrder(merchant.secret_key);
    const started = await pay(order, card('4000000000003220'));
    expect(started.body.order.status).toBe('requires_action');
    const action = started.body.attempt!.next_action;
    expect(action?.type).toBe('three_ds');
    const url = new URL((action as { url: string }).url);
    const page = await call<string>(url.pathname);
    expect(page.body).toContain('Complete authentication');
    const done = await call(url.pathname, {
      rawBody: 'action=succeed',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(card('x').return_url);
    await runDurableObjectAlarm(sandboxStub(started.body.attempt!.id));
    const after = await summary(order);
    expect(after.body.order.status).toBe('paid');
  });

  it('pays by QR: the payload opens the sandbox wallet, whose notification pays the order', async () => {
    const order = await newOrder(merchant.secret_key, { currency: 'CNY', amount: 1234 });
    const started = await pay(order, { channel: 'sandbox', method: 'qr' });
    const action = started.body.attempt!.next_action as { type: string; payload: string };
    expect(action.type).toBe('qr');
    const wallet = await call<string>(new URL(action.payload).pathname);
    expect(wallet.body).toContain('¥12.34');
    await call(new URL(action.payload).pathname, {
      rawBody: 'action=succeed',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect((await summary(order)).body.order.status).toBe('requires_action');
    await runDurableObjectAlarm(sandboxStub(started.body.attempt!.id));
    expect((await summary(order)).body.order.status).toBe('paid');
  });
});
