/**
 * Till's WeChat Pay client against the fake (which checks with wechatpay-axios-plugin's code), in
 * node: request signatures, the answer checks, callbacks and the fake's controls. The adapter's
 * flows through the order object are covered by test/worker/wechatpay*.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TillError } from '../../shared/errors.ts';
import { WechatpayApiError, WechatpayClient } from '../../worker/channels/wechatpay/api-client.ts';
import { type WechatpayCredentials, WechatpayCredentialsSchema } from '../../worker/channels/wechatpay/credentials.ts';
import { readNotification } from '../../worker/channels/wechatpay/notification.ts';
import { authorization, freshSeed, jsapiParams } from '../../worker/channels/wechatpay/signing.ts';
import {
  FAKE_WECHAT_CERT_SERIAL,
  FAKE_WECHAT_CERTIFICATE_MODE,
  fakeWechatpayCredentials,
  WECHAT_API_V3_KEY,
  WECHAT_APPID,
  WECHAT_MCHID,
  WECHAT_MERCHANT_PRIVATE_KEY,
  WECHAT_MERCHANT_PUBLIC_KEY,
  WECHAT_MERCHANT_SERIAL,
} from '../fakes/keys.ts';
import { type RunningFake, serve } from '../fakes/serve.ts';
import { startWechatpayFake } from '../fakes/wechatpay/index.ts';

const certificateMode = FAKE_WECHAT_CERTIFICATE_MODE;

const credentials = (overrides: Partial<Record<keyof WechatpayCredentials, unknown>> = {}): WechatpayCredentials =>
  WechatpayCredentialsSchema.parse(fakeWechatpayCredentials(overrides));

let fake: RunningFake;
let receiver: RunningFake;
const received: Array<{ body: string; headers: Headers }> = [];
let receiverAnswers: number[] = [];

beforeAll(async () => {
  fake = await startWechatpayFake({ port: 0 });
  receiver = await serve(0, async (request) => {
    received.push({ body: await request.text(), headers: request.headers });
    return new Response(null, { status: receiverAnswers.shift() ?? 204 });
  });
});
afterAll(async () => {
  await fake.close();
  await receiver.close();
});

const client = (creds = credentials(), now?: () => number) =>
  new WechatpayClient({ baseUrl: fake.url, credentials: creds, ...(now ? { now } : {}) });
const control = async <T = Record<string, unknown>>(
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> => {
  const response = await fetch(
    `${fake.url}${path}`,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  return { status: response.status, body: (await response.json()) as T };
};

let sequence = 0;
const tradeNo = () => `att_unit${Date.now().toString(36)}${(sequence++).toString().padStart(4, '0')}`;
const order = (outTradeNo: string, extra: Record<string, unknown> = {}) => ({
  appid: WECHAT_APPID,
  mchid: WECHAT_MCHID,
  description: 'Tote bag 帆布包',
  out_trade_no: outTradeNo,
  time_expire: new Date(Date.now() + 3600_000 + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+08:00'),
  notify_url: `${receiver?.url ?? 'http://127.0.0.1:1'}/v1/channels/wechatpay/notify/ord_1`,
  amount: { total: 2900, currency: 'CNY' },
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<{ status?: number; code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WechatpayApiError)
      return { status: error.httpStatus, code: error.wechatCode, message: error.message };
    if (error instanceof TillError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a failure');
}

describe('the fake WeChat Pay API and Till’s client', () => {
  it('opens a Native trade on a signed request and answers with a verified signature', async () => {
    const no = tradeNo();
    const { status, body } = await client().call('POST', '/v3/pay/transactions/native', order(no));
    expect(status).toBe(200);
    expect(body).toMatchObject({ code_url: expect.stringMatching(/^weixin:\/\/wxpay\/bizpayurl\?pr=\w+$/) });
    // The same request again is answered the same; other content under the number is refused.
    expect((await client().call('POST', '/v3/pay/transactions/native', order(no))).body).toEqual(body);
    expect(
      await failure(client().call('POST', '/v3/pay/transactions/native', order(no, { amount: { total: 1 } }))),
    ).toMatchObject({ status: 403, code: 'OUT_TRADE_NO_USED' });
  });

  it('queries with the mchid in the signed URL; a signature without the query string is a 401', async () => {
    const no = tradeNo();
    await client().call('POST', '/v3/pay/transactions/native', order(no));
    const path = `/v3/pay/transactions/out-trade-no/${no}?mchid=${WECHAT_MCHID}`;
    expect((await client().call('GET', path)).body).toMatchObject({
      out_trade_no: no,
      trade_state: 'NOTPAY',
      mchid: WECHAT_MCHID,
      appid: WECHAT_APPID,
    });
    const signer = { mchid: WECHAT_MCHID, serialNo: WECHAT_MERCHANT_SERIAL, privateKey: WECHAT_MERCHANT_PRIVATE_KEY };
    const wrong = await authorization(signer, 'GET', `/v3/pay/transactions/out-trade-no/${no}`, '', freshSeed());
    const response = await fetch(`${fake.url}${path}`, {
      headers: { authorization: wrong, accept: 'application/json', 'user-agent': 'test' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'SIGN_ERROR' });
    expect(
      await failure(client().call('GET', `/v3/pay/transactions/out-trade-no/att_nothing_here?mchid=${WECHAT_MCHID}`)),
    ).toMatchObject({ status: 404, code: 'ORDER_NOT_EXIST' });
  });

  it('refuses requests signed more than 300 s off, by an unknown serial, or with bad fields', async () => {
    const stale = client(credentials(), () => Date.now() - 301_000);
    expect(await failure(stale.call('POST', '/v3/pay/transactions/native', order(tradeNo())))).toMatchObject({
      status: 401,
      code: 'SIGN_ERROR',
    });
    const otherSerial = client(credentials({ merchant_serial_no: '0'.repeat(40) }));
    expect(await failure(otherSerial.call('POST', '/v3/pay/transactions/native', order(tradeNo())))).toMatchObject({
      status: 401,
      code: 'SIGN_ERROR',
    });
    expect(await failure(client().call('POST', '/v3/pay/transactions/native', order('short')))).toMatchObject({
      status: 400,
      code: 'PARAM_ERROR',
    });
    expect(
      await failure(
        client().call('POST', '/v3/pay/transactions/native', order(tradeNo(), { description: 'x'.repeat(128) })),
      ),
    ).toMatchObject({ code: 'PARAM_ERROR' });
    expect(
      await failure(
        client().call(
          'POST',
          '/v3/pay/transactions/native',
          order(tradeNo(), { notify_url: 'http://shop.example/notify' }),
        ),
      ),
    ).toMatchObject({ code: 'PARAM_ERROR' });
    expect(await failure(client().call('POST', '/v3/pay/transactions/h5', order(tradeNo())))).toMatchObject({
      code: 'PARAM_ERROR',
      message: expect.stringContaining('scene_info.payer_client_ip'),
    });
    expect(await failure(client().call('POST', '/v3/pay/transactions/jsapi', order(tradeNo())))).toMatchObject({
      code: 'PARAM_ERROR',
      message: expect.stringContaining('payer.openid'),
    });
  });

  it('rejects unsigned, mis-signed and unknown-key answers as forged (channel_error)', async () => {
    await control('/_fake/faults', { kind: 'unsigned_answer', match: '/native' });
    expect(await failure(client().call('POST', '/v3/pay/transactions/native', order(tradeNo())))).toMatchObject({
      code: 'channel_error',
      message: expect.stringContaining('lacks'),
    });
    await control('/_fake/faults', { kind: 'bad_answer_signature', match: '/native' });
    expect(await failure(client().call('POST', '/v3/pay/transactions/native', order(tradeNo())))).toMatchObject({
      code: 'channel_error',
      message: expect.stringContaining('does not verify'),
    });
    const certificateOnly = client(credentials({ platform_keys: [certificateMode] }));
    expect(await failure(certificateOnly.call('POST', '/v3/pay/transactions/native', order(tradeNo())))).toMatchObject({
      message: expect.stringContaining('not among the configured'),
    });
  });

  it('signs with the platform certificate in certificate mode', async () => {
    const mchid = '1900000777';
    await control('/_fake/merchants', {
      mchid,
      serial_no: WECHAT_MERCHANT_SERIAL,
      public_key: WECHAT_MERCHANT_PUBLIC_KEY,
      api_v3_key: WECHAT_API_V3_KEY,
      appid: WECHAT_APPID,
    });
    await control('/_fake/mode', { signing: 'certificate', mchid });
    const creds = credentials({ mchid, platform_keys: [certificateMode] });
    const no = tradeNo();
    const { body } = await client(creds).call('POST', '/v3/pay/transactions/native', order(no, { mchid }));
    expect(body).toHaveProperty('code_url');
    const paid = await control<{ body: string; headers: Record<string, string> }>(`/_fake/trades/${no}/pay`, {});
    expect(paid.body.headers['Wechatpay-Serial']).toBe(FAKE_WECHAT_CERT_SERIAL);
    const note = await readNotification(
      creds,
      paid.body.body,
      new Headers(paid.body.headers),
      Math.floor(Date.now() / 1000),
    );
    expect(note).toMatchObject({ kind: 'payment', attemptId: no, amount: 2900 });
  });

  it('pays, builds callbacks Till reads, delivers them with retries, and refuses probes', async () => {
    const no = tradeNo();
    await client().call('POST', '/v3/pay/transactions/native', order(no));
    receiverAnswers = [500, 204];
    const paid = await control<{
      body: string;
      headers: Record<string, string>;
      delivery: { delivered: boolean; attempts: Array<{ status: number }> };
    }>(`/_fake/trades/${no}/pay?deliver=1`, {});
    expect(paid.body.delivery).toMatchObject({ delivered: true, attempts: [{ status: 500 }, { status: 204 }] });
    const last = received.at(-1)!;
    expect(last.body).toBe(paid.body.body);
    const now = Math.floor(Date.now() / 1000);
    const note = await readNotification(credentials(), last.body, last.headers, now);
    expect(note).toMatchObject({
      kind: 'payment',
      attemptId: no,
      amount: 2900,
      tradeState: 'SUCCESS',
      eventId: expect.stringMatching(/^EV-/),
    });
    // Paying again re-sends the same event.
    const again = await control<{ body: string }>(`/_fake/trades/${no}/pay`, {});
    expect(JSON.parse(again.body.body).id).toBe(JSON.parse(paid.body.body).id);

    const probe = await control<{ body: string; headers: Record<string, string> }>('/_fake/probe', {
      notify_url: `${receiver.url}/x`,
    });
    await expect(
      readNotification(credentials(), probe.body.body, new Headers(probe.body.headers), now),
    ).rejects.toThrow(/SIGNTEST/);
  });

  it('checks a JSAPI paySign the way WeChat’s browser does', async () => {
    const no = tradeNo();
    const { body } = await client().call(
      'POST',
      '/v3/pay/transactions/jsapi',
      order(no, { payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } }),
    );
    const params = await jsapiParams(
      WECHAT_MERCHANT_PRIVATE_KEY,
      WECHAT_APPID,
      (body as { prepay_id: string }).prepay_id,
      freshSeed(),
    );
    expect(
      (
        await control('/_fake/jsapi/pay', {
          ...params,
          paySign: params.paySign.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
        })
      ).status,
    ).toBe(401);
    expect((await control('/_fake/jsapi/pay', params)).status).toBe(200);
    expect((await control<{ state: string; openid: string }>(`/_fake/trades/${no}`)).body).toMatchObject({
      state: 'SUCCESS',
      openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    });
  });

  it('refunds once per out_refund_no, never beyond what is left, and closes only unpaid trades', async () => {
    const no = tradeNo();
    await client().call('POST', '/v3/pay/transactions/native', order(no));
    expect(
      (await client().call('POST', `/v3/pay/transactions/out-trade-no/${no}/close`, { mchid: WECHAT_MCHID })).status,
    ).toBe(204);
    expect((await control(`/_fake/trades/${no}/pay`, {})).status).toBe(409);

    const paidNo = tradeNo();
    await client().call('POST', '/v3/pay/transactions/native', order(paidNo));
    await control(`/_fake/trades/${paidNo}/pay`, {});
    expect(
      await failure(
        client().call('POST', `/v3/pay/transactions/out-trade-no/${paidNo}/close`, { mchid: WECHAT_MCHID }),
      ),
    ).toMatchObject({ code: 'ORDERPAID' });
    const refund = (no: string, refundNo: string, amount: number) =>
      client().call('POST', '/v3/refund/domestic/refunds', {
        out_trade_no: no,
        out_refund_no: refundNo,
        amount: { refund: amount, total: 2900, currency: 'CNY' },
      });
    expect((await refund(paidNo, 're_unit_1', 1000)).body).toMatchObject({
      status: 'SUCCESS',
      out_refund_no: 're_unit_1',
    });
    expect((await refund(paidNo, 're_unit_1', 1000)).body).toMatchObject({
      status: 'SUCCESS',
      out_refund_no: 're_unit_1',
    });
    expect(await failure(refund(paidNo, 're_unit_1', 1001))).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await failure(refund(paidNo, 're_unit_2', 1901))).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((await client().call('GET', '/v3/refund/domestic/refunds/re_unit_1')).body).toMatchObject({
      refund_id: expect.any(String),
      amount: { refund: 1000 },
    });
    const trade = await control<{ state: string; refundable: number }>(`/_fake/trades/${paidNo}`);
    expect(trade.body).toMatchObject({ state: 'REFUND', refundable: 1900 });
  });
});
