/**
 * WeChat Pay end to end inside the Workers runtime: the widget starts Native, H5 and JSAPI
 * attempts, the fake WeChat Pay checks every signed request, the payer pays at the fake, and its
 * callbacks (signed, encrypted) reach the order through the notify URL.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { wechatpay } from '../../worker/channels/wechatpay/index.ts';
import { FAKE_WECHAT_PUBLIC_KEY_ID, WECHAT_MERCHANT_PRIVATE_KEY } from '../fakes/keys.ts';
import { call, createMerchant, eventTypes, newOrder, ORIGIN, retrieve, summary } from './helpers.ts';
import {
  armFault,
  cnyOrder,
  configureWechat,
  deliver,
  type FakeCallback,
  fakeControl,
  fakeMerchantId,
  fakeTrade,
  payAtFake,
  startWechat,
  wechatCredentials,
  wechatMerchant,
} from './wechatpay-helpers.ts';

const mchid = await fakeMerchantId(1);
const merchant = await wechatMerchant(mchid);
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';

/** A Native attempt started and paid at the fake; the order has not heard yet. */
async function paidAtFake() {
  const order = await cnyOrder(merchant.secret_key);
  const started = await startWechat(order, 'native');
  const attempt = started.body.attempt!;
  return { order, attempt, callback: await payAtFake(attempt.id) };
}

describe('WeChat Pay methods', () => {
  it(
    'offers Native on desktop, H5 in mobile browsers, ' + 'JSAPI inside WeChat, nothing in Alipay, and only for CNY',
    async () => {
      const order = await cnyOrder(merchant.secret_key);
      const methods = async (context: string) =>
        (
          await call<{ methods: Array<{ channel: string; method: string; kind: string }> }>(
            `/v1/checkout/${order.id}?context=${context}`,
            { key: order.client_token },
          )
        ).body.methods.filter((method) => method.channel === 'wechatpay');
      expect(await methods('desktop')).toEqual([
        { channel: 'wechatpay', method: 'native', kind: 'qr', label: 'WeChat Pay' },
      ]);
      expect(await methods('mobile')).toEqual([
        { channel: 'wechatpay', method: 'h5', kind: 'redirect', label: 'WeChat Pay' },
      ]);
      expect(await methods('wechat')).toEqual([
        { channel: 'wechatpay', method: 'jsapi', kind: 'jsapi', label: 'WeChat Pay' },
      ]);
      expect(await methods('alipay')).toEqual([]);
      const dollars = await newOrder(merchant.secret_key);
      expect((await summary(dollars)).body.methods.some((method) => method.channel === 'wechatpay')).toBe(false);
    },
  );
});

describe('Native (QR code)', () => {
  it(
    'shows WeChat’s code_url, ' + 'and the signed, encrypted callback pays the order once however often it comes',
    async () => {
      const order = await cnyOrder(merchant.secret_key);
      const started = await startWechat(order, 'native');
      expect(started.status).toBe(201);
      const attempt = started.body.attempt!;
      expect(attempt.next_action).toEqual({
        type: 'qr',
        payload: expect.stringMatching(/^weixin:\/\/wxpay\/bizpayurl\?pr=\w+$/),
        expires_at: expect.any(Number),
      });
      const trade = await fakeTrade(attempt.id);
      expect(trade).toMatchObject({
        state: 'NOTPAY',
        trade_type: 'NATIVE',
        total: 2900,
        notify_url: `${ORIGIN}/v1/channels/wechatpay/notify/${order.id}`,
      });

      const callback = await payAtFake(attempt.id);
      const first = await deliver(callback);
      expect(first).toEqual({ status: 204, text: '' });
      const paid = await retrieve(merchant.secret_key, order.id);
      expect(paid).toMatchObject({ status: 'paid', paid_attempt_id: attempt.id });

      // WeChat resends until it hears 2xx: the same event again is acknowledged and changes nothing.
      expect((await deliver(callback)).status).toBe(204);
      const resent = await payAtFake(attempt.id);
      expect(JSON.parse(resent.body).id).toBe(JSON.parse(callback.body).id);
      expect((await deliver(resent)).status).toBe(204);
      expect((await eventTypes(merchant.secret_key, order.id)).filter((type) => type === 'order.paid')).toHaveLength(1);
    },
  );
});

describe('H5 (mobile browsers)', () => {
  it('sends the payer’s IP and platform, and redirects to the fake cashier with redirect_url', async () => {
    const order = await cnyOrder(merchant.secret_key);
    const returnUrl = `${ORIGIN}/v1/frame?order=${order.id}`;
    const started = await startWechat(order, 'h5', {
      headers: { 'cf-connecting-ip': '203.0.113.7', 'user-agent': IPHONE },
      extra: { return_url: returnUrl },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const attempt = started.body.attempt!;
    const action = attempt.next_action as { type: string; url: string };
    expect(action.type).toBe('redirect');
    const url = new URL(action.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${FAKE_ORIGIN()}/h5pay`);
    expect(url.searchParams.get('redirect_url')).toBe(returnUrl);
    expect(await fakeTrade(attempt.id)).toMatchObject({
      trade_type: 'MWEB',
      scene_info: { payer_client_ip: '203.0.113.7', h5_info: { type: 'iOS' } },
    });
    // The cashier page the payer lands on.
    const page = await fetch(action.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('29.00');

    expect((await deliver(await payAtFake(attempt.id))).status).toBe(204);
    expect((await retrieve(merchant.secret_key, order.id)).status).toBe('paid');
  });

  it('fails the attempt clearly when the payer’s IP is unknown (WeChat requires it)', async () => {
    const order = await cnyOrder(merchant.secret_key);
    const started = await startWechat(order, 'h5', { headers: { 'user-agent': IPHONE } });
    expect(started.body.attempt).toMatchObject({ status: 'failed', failure: { code: 'channel_not_available' } });
    // Till never reached WeChat: no trade was opened there.
    expect((await fakeControl(`/_fake/trades/${started.body.attempt!.id}`)).status).toBe(404);
  });

  it(
    'hands WeChat the return URL without its fragment, ' +
      'and no redirect_url for an app’s deep link (the H5 cashier follows http(s) only)',
    async () => {
      const headers = { 'cf-connecting-ip': '203.0.113.7', 'user-agent': IPHONE };
      const order = await cnyOrder(merchant.secret_key);
      const page = `${ORIGIN}/v1/frame?order=${order.id}`;
      const started = await startWechat(order, 'h5', {
        headers,
        extra: { return_url: `${page}#ct=secret-client-token` },
      });
      const url = new URL((started.body.attempt!.next_action as { url: string }).url);
      expect(url.searchParams.get('redirect_url')).toBe(page);
      expect(url.toString()).not.toContain('secret-client-token');

      const app = await cnyOrder(merchant.secret_key, { return_url: 'myshop://checkout/done' });
      const fromApp = await startWechat(app, 'h5', { headers, extra: { return_url: 'myshop://checkout/done' } });
      expect(fromApp.body.attempt).toMatchObject({ status: 'requires_action' });
      const link = new URL((fromApp.body.attempt!.next_action as { url: string }).url);
      expect(link.searchParams.has('redirect_url')).toBe(false);
    },
  );
});

const FAKE_ORIGIN = () => new URL(env.WECHATPAY_API_TEST!).origin;

describe('JSAPI (inside WeChat)', () => {
  it(
    'needs the payer’s openid, ' + 'hands WeixinJSBridge signed parameters the fake accepts, and is paid by callback',
    async () => {
      const order = await cnyOrder(merchant.secret_key);
      const missing = await startWechat(order, 'jsapi');
      expect(missing.status).toBe(400);
      expect(missing.body.error).toMatchObject({ code: 'missing_parameter', param: 'openid' });

      const started = await startWechat(order, 'jsapi', { extra: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } });
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      const params = (started.body.attempt!.next_action as { type: 'jsapi'; params: Record<string, string> }).params;
      expect(params).toMatchObject({
        appId: 'wxd678efh567hg6787',
        timeStamp: expect.stringMatching(/^\d+$/),
        package: expect.stringMatching(/^prepay_id=wx/),
        signType: 'RSA',
      });
      const tampered = await fakeControl('/_fake/jsapi/pay', { ...params, nonceStr: `${params.nonceStr}x` });
      expect(tampered.status).toBe(401);
      const paid = await fakeControl<FakeCallback>('/_fake/jsapi/pay', params);
      expect(paid.status).toBe(200);
      expect((await deliver(paid.body)).status).toBe(204);
      expect((await retrieve(merchant.secret_key, order.id)).status).toBe('paid');
    },
  );
});

describe('callbacks Till refuses', () => {
  it('a bad signature, a missing header, a stale timestamp or an unknown key: 401, and nothing applied', async () => {
    const { order, callback } = await paidAtFake();
    const signature = callback.headers['Wechatpay-Signature']!;
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const broken: Array<Record<string, string | null>> = [
      { 'Wechatpay-Signature': flipped },
      { 'Wechatpay-Nonce': null },
      { 'Wechatpay-Timestamp': String(Math.floor(Date.now() / 1000) - 301) },
      { 'Wechatpay-Serial': `${FAKE_WECHAT_PUBLIC_KEY_ID.slice(0, -1)}9` },
    ];
    for (const headers of broken) {
      const refused = await deliver(callback, headers);
      expect(refused.status, JSON.stringify(headers)).toBe(401);
      expect(JSON.parse(refused.text).error.code).toBe('invalid_signature');
    }
    expect(
      (await deliver(callback, {}, callback.body.replace('"summary":"支付成功"', '"summary":"支付成功!"'))).status,
    ).toBe(401);
    expect((await retrieve(merchant.secret_key, order.id)).status).toBe('requires_action');
    expect((await deliver(callback)).status).toBe(204);
    expect((await retrieve(merchant.secret_key, order.id)).status).toBe('paid');
  });

  it('refuses WECHATPAY/SIGNTEST/ probes', async () => {
    const order = await cnyOrder(merchant.secret_key);
    const notifyUrl = `${ORIGIN}/v1/channels/wechatpay/notify/${order.id}`;
    const probe = await fakeControl<FakeCallback>('/_fake/probe', { notify_url: notifyUrl, mchid });
    expect(probe.body.headers['Wechatpay-Signature']).toMatch(/^WECHATPAY\/SIGNTEST\//);
    const answer = await deliver(probe.body);
    expect(answer.status).toBe(401);
    expect(answer.text).toContain('SIGNTEST');
  });

  it(
    'a callback claiming another amount is not applied (WeChat is told to stop: ' +
      'it would say the same again), the true one is',
    async () => {
      const order = await cnyOrder(merchant.secret_key);
      const attempt = (await startWechat(order, 'native')).body.attempt!;
      await armFault({ kind: 'tamper_amount', match: attempt.id, amount: 1 });
      const tampered = await payAtFake(attempt.id);
      const answer = await deliver(tampered);
      expect(answer).toEqual({ status: 204, text: '' });
      expect((await retrieve(merchant.secret_key, order.id)).status).toBe('requires_action');
      expect((await deliver(await payAtFake(attempt.id))).status).toBe(204);
      expect((await retrieve(merchant.secret_key, order.id)).status).toBe('paid');
    },
  );

  it('a callback about another merchant id is refused, even when signed and encrypted with the same keys', async () => {
    const otherMchid = await fakeMerchantId(2);
    const other = await wechatMerchant(otherMchid);
    const theirs = await cnyOrder(other.secret_key);
    const theirAttempt = (await startWechat(theirs, 'native')).body.attempt!;
    const theirCallback = await payAtFake(theirAttempt.id);
    // Posted to one of our orders: it verifies and decrypts, but names another merchant id.
    const ours = await cnyOrder(merchant.secret_key);
    await startWechat(ours, 'native');
    const misdirected = await deliver({
      ...theirCallback,
      notify_url: `${ORIGIN}/v1/channels/wechatpay/notify/${ours.id}`,
    });
    expect(misdirected.status).toBe(401);
    expect(misdirected.text).toContain('another merchant');
    expect((await retrieve(merchant.secret_key, ours.id)).status).toBe('requires_action');
    expect((await deliver(theirCallback)).status).toBe(204);
  });

  it(
    'refuses (401, not retried) a callback for an order whose ' +
      'merchant has no WeChat Pay credentials: nothing can verify it',
    async () => {
      const { callback } = await paidAtFake();
      const bare = await createMerchant();
      const theirs = await cnyOrder(bare.secret_key);
      const refused = await deliver({ ...callback, notify_url: `${ORIGIN}/v1/channels/wechatpay/notify/${theirs.id}` });
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.text).error).toMatchObject({
        code: 'invalid_signature',
        message: expect.stringContaining('no WeChat Pay credentials'),
      });
      expect((await deliver(callback)).status).toBe(204);
    },
  );
});

describe('starts WeChat refuses, and configuration', () => {
  it('fails the attempt at once when WeChat refuses the order (AppID not bound to the merchant id)', async () => {
    const other = await wechatMerchant(mchid, { appid: 'wx0000000000000001' });
    const order = await cnyOrder(other.secret_key);
    const started = await startWechat(order, 'native');
    expect(started.body.attempt).toMatchObject({
      status: 'failed',
      failure: { code: 'channel_declined', message: expect.stringContaining('APPID_MCHID_NOT_MATCH') },
    });
  });

  it('checks credentials field by field, without echoing keys', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ private_key: 'not a key' }, 'credentials.private_key', /is neither PEM nor base64/],
      [{ api_v3_key: 'short' }, 'credentials.api_v3_key', /exactly 32 characters/],
      [{ mchid: 'abc' }, 'credentials.mchid', /digits only/],
      [
        { platform_keys: [{ serial: 'PUB_KEY_ID_01', public_key: WECHAT_MERCHANT_PRIVATE_KEY }] },
        'credentials.platform_keys.0.public_key',
        /is a private key/,
      ],
    ];
    for (const [change, param, message] of cases) {
      const answer = await configureWechat(merchant.secret_key, wechatCredentials(mchid, change));
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({
        code: 'invalid_parameter',
        param,
        message: expect.stringMatching(message),
      });
      expect(JSON.stringify(answer.body)).not.toContain('PRIVATE KEY');
    }
  });

  it('refuses test mode where the operator has not pointed WECHATPAY_API_TEST at a stand-in', async () => {
    const ctx = {
      env: { ...env, WECHATPAY_API_TEST: undefined },
      origin: ORIGIN,
      mode: 'test' as const,
      credentials: wechatpay.credentials!.parse(wechatCredentials(mchid)),
      notifyUrl: `${ORIGIN}/v1/channels/wechatpay/notify/ord_x`,
    };
    await expect(
      wechatpay.query(ctx, { attemptId: 'att_x', channelRef: null, amount: 1, currency: 'CNY' }),
    ).rejects.toMatchObject({
      code: 'channel_not_available',
      message: expect.stringContaining('WECHATPAY_API_TEST'),
    });
  });

  it('tells a merchant without credentials for the mode how to set them', async () => {
    const ctx = {
      env,
      origin: ORIGIN,
      mode: 'test' as const,
      credentials: null,
      notifyUrl: `${ORIGIN}/v1/channels/wechatpay/notify/ord_x`,
    };
    await expect(
      wechatpay.query(ctx, { attemptId: 'att_x', channelRef: null, amount: 1, currency: 'CNY' }),
    ).rejects.toMatchObject({
      code: 'channel_not_available',
      message: expect.stringContaining('set them with POST /v1/merchant/channels/wechatpay'),
    });
  });
});
