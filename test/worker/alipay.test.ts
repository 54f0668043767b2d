/**
 * The Alipay channel inside Till against the fake Alipay gateway (test/fakes/alipay), which
 * checks every request with alipay-sdk's code: methods, starts, payments and notifications,
 * credentials. Refunds and reconciliation: alipay-settlement.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckoutSummary, MerchantWithKeys } from '../../shared/schemas.ts';
import { ALIPAY_APP_PUBLIC_KEY, FAKE_ALIPAY_PRIVATE_KEY } from '../fakes/keys.ts';
import {
  alipayMerchant,
  cnyOrder,
  configure,
  credentialsFor,
  FAKE,
  type FakeNotification,
  type FakeTrade,
  fake,
  notify,
  notifyUrlOf,
  paidOrder,
  start,
} from './alipay-helpers.ts';
import { call, createMerchant, eventTypes, newOrder, ORIGIN, retrieve, summary } from './helpers.ts';

let merchant: MerchantWithKeys;
let appId: string;

beforeAll(async () => {
  ({ merchant, appId } = await alipayMerchant());
});

const frame = (orderId: string) => `${ORIGIN}/v1/frame?order=${orderId}`;

describe('Alipay methods', () => {
  it(
    'offers the QR code and the web cashier on desktops, ' +
      'the mobile cashier on phones and in the Alipay app, nothing in WeChat',
    async () => {
      const order = await cnyOrder(merchant);
      const methods = async (context: string) =>
        (
          await call<CheckoutSummary>(`/v1/checkout/${order.id}?context=${context}`, { key: order.client_token })
        ).body.methods
          .filter((m) => m.channel === 'alipay')
          .map((m) => `${m.method}:${m.kind}`);
      expect(await methods('desktop')).toEqual(['qr:qr', 'page:redirect']);
      expect(await methods('mobile')).toEqual(['wap:redirect']);
      expect(await methods('alipay')).toEqual(['wap:redirect']);
      expect(await methods('wechat')).toEqual([]);
    },
  );

  it(
    'offers nothing for other currencies or manual capture, ' +
      'or without test-mode credentials; refuses a method not offered',
    async () => {
      const usd = await newOrder(merchant.secret_key);
      expect((await summary(usd)).body.methods.some((m) => m.channel === 'alipay')).toBe(false);
      const manual = await cnyOrder(merchant, { capture_method: 'manual' });
      expect((await summary(manual)).body.methods.some((m) => m.channel === 'alipay')).toBe(false);
      const order = await cnyOrder(merchant);
      expect((await start(order, 'wap', 'wechat')).body.error.code).toBe('channel_not_available');
      expect((await start(order, 'barcode')).body.error.code).toBe('invalid_parameter');

      const unconfigured = await createMerchant();
      await call('/v1/merchant/channels/alipay', { key: unconfigured.secret_key, body: { enabled: true } });
      const theirs = await cnyOrder(unconfigured);
      expect((await summary(theirs)).body.methods.some((m) => m.channel === 'alipay')).toBe(false);
    },
  );
});

describe('Alipay payments', () => {
  it(
    'pays by QR code: precreate, scan, pay, a signed notification, ' + 'the order paid once however often it arrives',
    async () => {
      const order = await cnyOrder(merchant);
      const started = await start(order, 'qr');
      expect(started.status).toBe(201);
      const attempt = started.body.attempt!;
      expect(attempt.next_action).toEqual({
        type: 'qr',
        payload: expect.stringMatching(new RegExp(`^${FAKE}/qr/[0-9a-f]+$`)),
        expires_at: expect.any(Number),
      });
      const before = await fake<FakeTrade>(`trades/${attempt.id}`);
      expect(before).toMatchObject({
        app_id: appId,
        exists: false,
        total_amount: '88.88',
        subject: '托特包 Tote bag',
        notify_url: notifyUrlOf(order.id),
      });

      // The shopper's phone opens the QR code's page: the trade now exists, waiting for payment.
      const phone = await fetch((attempt.next_action as { payload: string }).payload);
      expect(await phone.text()).toContain('88.88');
      expect((await fake<FakeTrade>(`trades/${attempt.id}`)).trade_status).toBe('WAIT_BUYER_PAY');

      const paid = await fake<FakeNotification>(`trades/${attempt.id}/pay`, {});
      expect(await notify(paid.notify_url, paid.body)).toMatchObject({ status: 200, body: 'success' });
      expect(await notify(paid.notify_url, paid.body)).toMatchObject({ status: 200, body: 'success' });
      expect(await retrieve(merchant.secret_key, order.id)).toMatchObject({
        status: 'paid',
        paid_attempt_id: attempt.id,
      });
      expect(await eventTypes(merchant.secret_key, order.id)).toEqual([
        'order.created',
        'order.processing',
        'order.requires_action',
        'order.paid',
      ]);
    },
  );

  it('sends desktops to the web cashier with a link Alipay accepts and a forged one it refuses', async () => {
    const order = await cnyOrder(merchant);
    const attempt = (await start(order, 'page')).body.attempt!;
    expect(attempt.next_action?.type).toBe('redirect');
    const link = new URL((attempt.next_action as { url: string }).url);
    expect(link.origin + link.pathname).toBe(`${FAKE}/gateway.do`);
    expect(Object.fromEntries(link.searchParams)).toMatchObject({
      app_id: appId,
      method: 'alipay.trade.page.pay',
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      version: '1.0',
      notify_url: notifyUrlOf(order.id),
      return_url: frame(order.id),
    });
    const biz = JSON.parse(link.searchParams.get('biz_content')!) as Record<string, string>;
    expect(biz).toMatchObject({
      out_trade_no: attempt.id,
      total_amount: '88.88',
      subject: '托特包 Tote bag',
      product_code: 'FAST_INSTANT_TRADE_PAY',
    });
    // time_expire is Beijing wall-clock time, at most 15 minutes from now for one attempt.
    const expires = Date.parse(`${biz.time_expire!.replace(' ', 'T')}+08:00`);
    expect(expires).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 15 * 60_000 + 1000);

    // The browser opens the link: the fake checks our signature with alipay-sdk and shows the cashier.
    const cashier = await fetch(link);
    expect(cashier.status).toBe(200);
    expect(await cashier.text()).toContain('托特包 Tote bag');
    link.searchParams.set('biz_content', JSON.stringify({ ...biz, total_amount: '0.01' }));
    const forged = await fetch(link);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('isv.invalid-signature');
  });

  it('sends phones and the Alipay app to the mobile cashier, which leads back to the checkout when left', async () => {
    const order = await cnyOrder(merchant);
    for (const context of ['mobile', 'alipay']) {
      const attempt = (await start(order, 'wap', context)).body.attempt!;
      const link = new URL((attempt.next_action as { url: string }).url);
      expect(link.searchParams.get('method')).toBe('alipay.trade.wap.pay');
      expect(JSON.parse(link.searchParams.get('biz_content')!)).toMatchObject({
        out_trade_no: attempt.id,
        product_code: 'QUICK_WAP_WAY',
        quit_url: frame(order.id),
      });
      const cashier = await fetch(link);
      expect(cashier.status).toBe(200);
      expect(await cashier.text()).toContain(`href="${frame(order.id)}"`);
    }
  });

  it(
    'hands Alipay the return URL without its fragment, ' + 'and none at all when it is longer than Alipay takes (256)',
    async () => {
      const order = await cnyOrder(merchant);
      const withToken = `${frame(order.id)}#ct=secret-client-token`;
      for (const method of ['page', 'wap']) {
        const attempt = (
          await call<CheckoutSummary>(
            `/v1/checkout/${order.id}/attempts?context=${method === 'page' ? 'desktop' : 'mobile'}`,
            {
              key: order.client_token,
              body: { channel: 'alipay', method, return_url: withToken },
            },
          )
        ).body.attempt!;
        const link = new URL((attempt.next_action as { url: string }).url);
        expect(link.searchParams.get('return_url'), method).toBe(frame(order.id));
        if (method === 'wap') expect(JSON.parse(link.searchParams.get('biz_content')!).quit_url).toBe(frame(order.id));
        expect(link.toString()).not.toContain('secret-client-token');
      }

      const long = `${frame(order.id)}&pad=${'x'.repeat(256)}`;
      for (const method of ['page', 'wap']) {
        const attempt = (
          await call<CheckoutSummary>(
            `/v1/checkout/${order.id}/attempts?context=${method === 'page' ? 'desktop' : 'mobile'}`,
            {
              key: order.client_token,
              body: { channel: 'alipay', method, return_url: long },
            },
          )
        ).body.attempt!;
        const link = new URL((attempt.next_action as { url: string }).url);
        expect(link.searchParams.has('return_url'), method).toBe(false);
        expect(JSON.parse(link.searchParams.get('biz_content')!).quit_url, method).toBeUndefined();
        // Alipay opens its cashier rather than an error page.
        const cashier = await fetch(link);
        expect(cashier.status, method).toBe(200);
        expect(await cashier.text()).toContain('托特包 Tote bag');
      }
    },
  );

  it(
    'pays at the web cashier: back to the checkout with Alipay’s return parameters, ' +
      'the notification pays the order',
    async () => {
      const order = await cnyOrder(merchant);
      const attempt = (await start(order, 'page')).body.attempt!;
      const html = await (await fetch((attempt.next_action as { url: string }).url)).text();
      const token = /\/cashier\/([0-9a-f]+)\/pay/.exec(html)![1];
      const paid = await fetch(`${FAKE}/cashier/${token}/pay`, { method: 'POST', redirect: 'manual' });
      expect(paid.status).toBe(303);
      const back = new URL(paid.headers.get('location')!);
      expect(back.searchParams.get('method')).toBe('alipay.trade.page.pay.return');
      expect(back.searchParams.get('order')).toBe(order.id);
      // The fake could not deliver the notification (it cannot reach this worker): it is posted here.
      const trade = await fake<FakeTrade>(`trades/${attempt.id}`);
      expect(trade.trade_status).toBe('TRADE_SUCCESS');
      expect((await notify(trade.notify_url!, trade.notifications[0]!.body)).body).toBe('success');
      expect((await retrieve(merchant.secret_key, order.id)).status).toBe('paid');
    },
  );

  it(
    'fails the attempt when Alipay is unavailable, refuses, or answers unsigned; ' + 'the shopper can try again',
    async () => {
      const order = await cnyOrder(merchant);
      for (const next of ['service_unavailable', 'system_error', 'unsigned', 'bad_signature']) {
        await fake('faults', { next, method: 'alipay.trade.precreate', app_id: appId });
        const started = await start(order, 'qr');
        expect(started.status, next).toBe(201);
        expect(started.body.attempt, next).toMatchObject({ status: 'failed', failure: { code: 'channel_error' } });
      }
      await fake('faults', {
        next: 'business_error',
        method: 'alipay.trade.precreate',
        app_id: appId,
        sub_code: 'ACQ.ACCESS_FORBIDDEN',
      });
      const refused = await start(order, 'qr');
      expect(refused.body.attempt).toMatchObject({
        status: 'failed',
        failure: { code: 'channel_declined', message: expect.stringContaining('ACQ.ACCESS_FORBIDDEN') },
      });
      expect((await start(order, 'qr')).body.attempt).toMatchObject({ status: 'requires_action' });
    },
  );
});

describe('Alipay notifications', () => {
  it('refuses a notification whose amount or signature was changed, or that has no signature', async () => {
    const order = await cnyOrder(merchant);
    const attempt = (await start(order, 'qr')).body.attempt!;
    await fake('faults', { next: 'tamper_amount', out_trade_no: attempt.id });
    const tampered = await fake<FakeNotification>(`trades/${attempt.id}/pay`, {});
    expect(new URLSearchParams(tampered.body).get('total_amount')).toBe('88.89');
    const refused = await notify(tampered.notify_url, tampered.body);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({
      code: 'invalid_signature',
      message: expect.stringContaining('signature does not verify'),
    });

    const form = new URLSearchParams(tampered.body);
    form.set('total_amount', '88.88');
    form.set('sign', `${form.get('sign')!.slice(0, -4)}AAA=`);
    expect((await notify(tampered.notify_url, form.toString())).body.error?.code).toBe('invalid_signature');
    form.delete('sign');
    expect((await notify(tampered.notify_url, form.toString())).body.error?.code).toBe('invalid_signature');
    expect((await retrieve(merchant.secret_key, order.id)).status).toBe('requires_action');
  });

  it('refuses a notification for another Alipay app (Alipay signs every app’s with its key)', async () => {
    const order = await cnyOrder(merchant);
    await start(order, 'qr');
    const other = await alipayMerchant();
    const otherOrder = await cnyOrder(other.merchant, { description: 'Other shop' });
    const otherAttempt = (await start(otherOrder, 'qr')).body.attempt!;
    const otherPaid = await fake<FakeNotification>(`trades/${otherAttempt.id}/pay`, {});
    expect(otherPaid.trade.app_id).toBe(other.appId);
    const misrouted = await notify(notifyUrlOf(order.id), otherPaid.body);
    expect(misrouted.status).toBe(401);
    expect(misrouted.body.error).toMatchObject({
      code: 'invalid_signature',
      message: expect.stringContaining('another Alipay app'),
    });
    expect((await retrieve(merchant.secret_key, order.id)).status).toBe('requires_action');
    expect((await notify(otherPaid.notify_url, otherPaid.body)).body).toBe('success');
  });

  it('acknowledges a notification posted to another order’s URL without changing that order', async () => {
    const { order } = await paidOrder(merchant);
    const stray = await cnyOrder(merchant);
    const strayAttempt = (await start(stray, 'qr')).body.attempt!;
    const note = await fake<FakeNotification>(`trades/${strayAttempt.id}/pay`, {});
    const answer = await notify(notifyUrlOf(order.id), note.body);
    expect(answer).toMatchObject({ status: 200, body: 'success' });
    expect((await retrieve(merchant.secret_key, order.id)).attempts).toHaveLength(1);
    expect((await notify(note.notify_url, note.body)).body).toBe('success');
    expect((await retrieve(merchant.secret_key, stray.id)).status).toBe('paid');
  });

  it(
    'takes a WAIT_BUYER_PAY notification (a scanned code) as no news: ' +
      'the QR code stays and the shopper may still switch method',
    async () => {
      const order = await cnyOrder(merchant);
      const attempt = (await start(order, 'qr')).body.attempt!;
      const scanned = await fake<FakeNotification>(`trades/${attempt.id}/scan?notify=1`, {});
      expect(new URLSearchParams(scanned.body).get('trade_status')).toBe('WAIT_BUYER_PAY');
      expect(await notify(scanned.notify_url, scanned.body)).toMatchObject({ status: 200, body: 'success' });
      const after = await retrieve(merchant.secret_key, order.id);
      expect(after.status).toBe('requires_action');
      expect(after.attempts).toEqual([
        expect.objectContaining({ id: attempt.id, status: 'requires_action', next_action: attempt.next_action }),
      ]);
      expect(await eventTypes(merchant.secret_key, order.id)).toEqual([
        'order.created',
        'order.processing',
        'order.requires_action',
      ]);
      // The shopper gives up on the code and takes the web cashier instead.
      const switched = await start(order, 'page');
      expect(switched.status).toBe(201);
      expect(switched.body.attempt).toMatchObject({ method: 'page', status: 'requires_action' });
    },
  );

  it('refuses a notification for an order whose merchant has no Alipay app: nothing can verify it', async () => {
    const order = await cnyOrder(merchant);
    const attempt = (await start(order, 'qr')).body.attempt!;
    const paid = await fake<FakeNotification>(`trades/${attempt.id}/pay`, {});
    const bare = await createMerchant();
    const theirs = await cnyOrder(bare);
    const refused = await notify(notifyUrlOf(theirs.id), paid.body);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({
      code: 'invalid_signature',
      message: expect.stringContaining('no Alipay app'),
    });
    expect((await notify(paid.notify_url, paid.body)).body).toBe('success');
  });
});

describe('Alipay credentials', () => {
  it(
    'accepts PKCS#1 and PKCS#8 keys, and refuses a 1024-bit key, ' +
      'a public key as the private key, and the app key as Alipay’s',
    async () => {
      const other = await createMerchant();
      const credentials = credentialsFor(appId);
      expect((await configure(other, credentials)).status).toBe(200);
      expect(
        (
          await configure(other, {
            ...credentials,
            app_private_key: FAKE_ALIPAY_PRIVATE_KEY,
            alipay_public_key: ALIPAY_APP_PUBLIC_KEY,
          })
        ).status,
      ).toBe(200);

      const small = (await crypto.subtle.generateKey(
        { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
        true,
        ['sign', 'verify'],
      )) as CryptoKeyPair;
      const der = new Uint8Array((await crypto.subtle.exportKey('pkcs8', small.privateKey)) as ArrayBuffer);
      const weak = await configure(other, { ...credentials, app_private_key: btoa(String.fromCharCode(...der)) });
      expect(weak.status).toBe(400);
      expect(weak.body.error).toMatchObject({
        param: 'credentials.app_private_key',
        message: expect.stringContaining('must be a 2048-bit RSA key (RSA2), got 1024-bit'),
      });

      const swapped = await configure(other, { ...credentials, app_private_key: ALIPAY_APP_PUBLIC_KEY });
      expect(swapped.body.error).toMatchObject({
        param: 'credentials.app_private_key',
        message: expect.stringContaining('is a public key'),
      });
      const own = await configure(other, { ...credentials, alipay_public_key: ALIPAY_APP_PUBLIC_KEY });
      expect(own.body.error).toMatchObject({
        param: 'credentials.alipay_public_key',
        message: expect.stringContaining('not the Alipay public key'),
      });
      expect((await configure(other, { ...credentials, app_id: '2088000000' })).body.error).toMatchObject({
        param: 'credentials.app_id',
      });
      // Errors never echo the keys.
      expect(JSON.stringify([weak.body, swapped.body, own.body])).not.toContain(ALIPAY_APP_PUBLIC_KEY.split('\n')[2]!);
    },
  );
});
