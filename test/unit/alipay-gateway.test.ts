/**
 * The adapter's gateway client against the fake Alipay gateway, in node: the fake checks each
 * request with alipay-sdk's code, and the client verifies each answer with the fake's key. This
 * is the protocol round trip; test/worker/alipay.test.ts covers the channel inside Till.
 */
import { generateKeyPairSync } from 'node:crypto';
import { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callGateway, type GatewayConfig, pageUrl } from '../../worker/channels/alipay/gateway.ts';
import { formParams, verifyNotificationParams } from '../../worker/channels/alipay/protocol.ts';
import { startAlipayFake } from '../fakes/alipay/index.ts';
import {
  ALIPAY_APP_ID,
  ALIPAY_APP_PRIVATE_KEY_PKCS1,
  ALIPAY_APP_PUBLIC_KEY,
  FAKE_ALIPAY_PUBLIC_KEY,
} from '../fakes/keys.ts';
import type { RunningFake } from '../fakes/serve.ts';

let fake: RunningFake;
let config: GatewayConfig;
const credentials = {
  app_id: ALIPAY_APP_ID,
  app_private_key: ALIPAY_APP_PRIVATE_KEY_PKCS1,
  alipay_public_key: FAKE_ALIPAY_PUBLIC_KEY,
};

beforeAll(async () => {
  fake = await startAlipayFake({ port: 0 });
  config = { url: `${fake.url}/gateway.do`, credentials };
});
afterAll(() => fake.close());

let counter = 0;
const tradeNo = () => `att_unit${Date.now()}${counter++}`;
const inAnHour = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
const biz = (out_trade_no: string, total_amount = '88.88') => ({
  out_trade_no,
  total_amount,
  subject: '测试商品 & tote/bag',
  time_expire: inAnHour(),
});

/** A control endpoint of the fake: POST with a body, GET without. */
async function control<T = Record<string, unknown>>(
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${fake.url}/_fake/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

describe('Alipay gateway calls against the fake', () => {
  it(
    'precreates a QR code; the trade exists only once scanned; ' + 'paying sends a notification Alipay signed',
    async () => {
      const no = tradeNo();
      const created = await callGateway(config, 'alipay.trade.precreate', biz(no), {
        notify_url: 'https://till.test/v1/channels/alipay/notify/ord_1',
      });
      expect(created).toMatchObject({
        code: '10000',
        out_trade_no: no,
        qr_code: expect.stringMatching(new RegExp(`^${fake.url}/qr/[0-9a-f]+$`)),
      });
      // Retrying the same precreate gives the same code.
      expect((await callGateway(config, 'alipay.trade.precreate', biz(no))).qr_code).toBe(created.qr_code);

      expect(await callGateway(config, 'alipay.trade.query', { out_trade_no: no })).toMatchObject({
        code: '40004',
        sub_code: 'ACQ.TRADE_NOT_EXIST',
      });
      const phone = await fetch(String(created.qr_code));
      expect(phone.status).toBe(200);
      expect(await phone.text()).toContain('88.88');
      expect(await callGateway(config, 'alipay.trade.query', { out_trade_no: no })).toMatchObject({
        code: '10000',
        trade_status: 'WAIT_BUYER_PAY',
      });

      const paid = await control<{ body: string; notify_url: string; headers: Record<string, string> }>(
        `trades/${no}/pay`,
        {},
      );
      expect(paid.body.notify_url).toBe('https://till.test/v1/channels/alipay/notify/ord_1');
      const form = formParams(new URLSearchParams(paid.body.body))!;
      expect(form).toMatchObject({
        out_trade_no: no,
        trade_status: 'TRADE_SUCCESS',
        total_amount: '88.88',
        app_id: ALIPAY_APP_ID,
        subject: '测试商品 & tote/bag',
      });
      expect(await verifyNotificationParams(form, FAKE_ALIPAY_PUBLIC_KEY)).toBe(true);
      expect(await callGateway(config, 'alipay.trade.query', { out_trade_no: no })).toMatchObject({
        trade_status: 'TRADE_SUCCESS',
        total_amount: '88.88',
      });
    },
  );

  it('refunds in parts, idempotently by out_request_no, and closes the trade once all is refunded', async () => {
    const no = tradeNo();
    await callGateway(config, 'alipay.trade.precreate', biz(no, '10.00'), { notify_url: 'https://till.test/notify' });
    await control(`trades/${no}/pay`, {});
    const refund = (out_request_no: string, refund_amount: string) =>
      callGateway(config, 'alipay.trade.refund', { out_trade_no: no, refund_amount, out_request_no });
    expect(await refund('re_1', '3.00')).toMatchObject({ code: '10000', fund_change: 'Y', refund_fee: '3.00' });
    expect(await refund('re_1', '3.00')).toMatchObject({ code: '10000', fund_change: 'N', refund_fee: '3.00' });
    expect(await refund('re_2', '7.01')).toMatchObject({ code: '40004', sub_code: 'ACQ.REASON_TRADE_REFUND_FEE_ERR' });
    expect(
      await callGateway(config, 'alipay.trade.fastpay.refund.query', { out_trade_no: no, out_request_no: 're_2' }),
    ).not.toHaveProperty('refund_status');
    expect(await refund('re_2', '7.00')).toMatchObject({ fund_change: 'Y', refund_fee: '10.00' });
    expect(
      await callGateway(config, 'alipay.trade.fastpay.refund.query', { out_trade_no: no, out_request_no: 're_2' }),
    ).toMatchObject({
      refund_status: 'REFUND_SUCCESS',
      refund_amount: '7.00',
    });
    expect(await callGateway(config, 'alipay.trade.query', { out_trade_no: no })).toMatchObject({
      trade_status: 'TRADE_CLOSED',
    });
    const state = await control<{ notifications: Array<{ form: Record<string, string> }> }>(`trades/${no}`);
    const [, partial, full] = state.body.notifications.map((n) => n.form);
    expect(partial).toMatchObject({ trade_status: 'TRADE_SUCCESS', out_biz_no: 're_1', refund_fee: '3.00' });
    expect(full).toMatchObject({ trade_status: 'TRADE_CLOSED', out_biz_no: 're_2', refund_fee: '10.00' });
  });

  it('closes a trade waiting for payment; a paid or never-opened trade is not closed', async () => {
    const no = tradeNo();
    await callGateway(config, 'alipay.trade.precreate', biz(no));
    expect(await callGateway(config, 'alipay.trade.close', { out_trade_no: no })).toMatchObject({
      sub_code: 'ACQ.TRADE_NOT_EXIST',
    });
    await control(`trades/${no}/scan`, {});
    expect(await callGateway(config, 'alipay.trade.close', { out_trade_no: no })).toMatchObject({
      code: '10000',
      out_trade_no: no,
    });
    expect(await callGateway(config, 'alipay.trade.close', { out_trade_no: no })).toMatchObject({
      sub_code: 'ACQ.TRADE_STATUS_ERROR',
    });
    expect((await control(`trades/${no}/pay`, {})).status).toBe(409);
  });

  it('sends the shopper to a cashier page the fake accepts, and refuses a changed link', async () => {
    const no = tradeNo();
    const url = await pageUrl(
      config,
      'alipay.trade.page.pay',
      { ...biz(no), product_code: 'FAST_INSTANT_TRADE_PAY' },
      {
        notify_url: 'https://till.test/notify',
        return_url: 'https://till.test/v1/frame?order=ord_1',
      },
    );
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('88.88');
    expect(html).toContain('name="viewport"');
    const changed = await fetch(url.replace('88.88', '0.01'));
    expect(changed.status).toBe(400);
    expect(await changed.text()).toContain('isv.invalid-signature');
    // Pay: the browser goes back to return_url with Alipay's signed return parameters.
    const token = /\/cashier\/([0-9a-f]+)\/pay/.exec(html)![1];
    const paid = await fetch(`${fake.url}/cashier/${token}/pay`, { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(303);
    const back = new URL(paid.headers.get('location')!);
    expect(back.origin + back.pathname).toBe('https://till.test/v1/frame');
    expect(back.searchParams.get('order')).toBe('ord_1');
    const returned = formParams(back.searchParams)!;
    expect(returned).toMatchObject({ method: 'alipay.trade.page.pay.return', out_trade_no: no, total_amount: '88.88' });
    expect(
      await verifyNotificationParams(
        Object.fromEntries(Object.entries(returned).filter(([k]) => k !== 'order')),
        FAKE_ALIPAY_PUBLIC_KEY,
      ),
    ).toBe(true);
  });

  it('matches what alipay-sdk itself sends: the fake accepts an SDK-signed wap.pay link as ours', async () => {
    const sdk = new AlipaySdk({
      appId: ALIPAY_APP_ID,
      privateKey: ALIPAY_APP_PRIVATE_KEY_PKCS1,
      keyType: 'PKCS1',
      gateway: `${fake.url}/gateway.do`,
    });
    const no = tradeNo();
    // The SDK writes its timestamp in the host's time zone: put the host in Beijing meanwhile.
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Shanghai';
    let url: string;
    try {
      url = sdk.pageExecute('alipay.trade.wap.pay', 'GET', {
        bizContent: { ...biz(no), productCode: 'QUICK_WAP_WAY' },
        returnUrl: 'https://till.test/back',
      });
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('88.88');
    // And the fake sees the same trade through our client.
    expect(await callGateway(config, 'alipay.trade.query', { out_trade_no: no })).toMatchObject({
      trade_status: 'WAIT_BUYER_PAY',
    });
  });

  it('gets an Alipay-signed refusal for a bad request signature, a stale timestamp or a bad amount', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    const forged = { ...config, credentials: { ...credentials, app_private_key: other } };
    expect(await callGateway(forged, 'alipay.trade.query', { out_trade_no: 'x' })).toMatchObject({
      code: '40002',
      sub_code: 'isv.invalid-signature',
    });
    const stale = { ...config, now: () => Date.now() - 3600_000 };
    expect(await callGateway(stale, 'alipay.trade.query', { out_trade_no: 'x' })).toMatchObject({
      code: '40002',
      sub_code: 'isv.invalid-timestamp',
    });
    expect(await callGateway(config, 'alipay.trade.precreate', biz(tradeNo(), '1.001'))).toMatchObject({
      code: '40004',
      sub_code: 'ACQ.INVALID_PARAMETER',
    });
  });

  it('throws on an unsigned, badly signed or unverifiable answer, and on an unknown app', async () => {
    await control('faults', { next: 'unsigned', method: 'alipay.trade.query' });
    await expect(callGateway(config, 'alipay.trade.query', { out_trade_no: 'x' })).rejects.toMatchObject({
      code: 'channel_error',
      message: expect.stringContaining('not signed'),
    });
    await control('faults', { next: 'bad_signature', method: 'alipay.trade.query' });
    await expect(callGateway(config, 'alipay.trade.query', { out_trade_no: 'x' })).rejects.toMatchObject({
      message: expect.stringContaining('fails verification'),
    });
    const wrongKey = { ...config, credentials: { ...credentials, alipay_public_key: ALIPAY_APP_PUBLIC_KEY } };
    await expect(callGateway(wrongKey, 'alipay.trade.query', { out_trade_no: 'x' })).rejects.toMatchObject({
      message: expect.stringContaining('fails verification'),
    });
    const unknown = { ...config, credentials: { ...credentials, app_id: '2021009999999999' } };
    await expect(callGateway(unknown, 'alipay.trade.query', { out_trade_no: 'x' })).rejects.toMatchObject({
      message: expect.stringContaining('isv.invalid-app-id'),
    });
    await expect(
      callGateway({ ...config, url: 'http://127.0.0.1:1/gateway.do' }, 'alipay.trade.query', { out_trade_no: 'x' }),
    ).rejects.toMatchObject({
      code: 'channel_error',
      message: expect.stringContaining('did not answer'),
    });
  });

  it('answers a system error once when told to, then works again', async () => {
    await control('faults', { next: 'system_error', method: 'alipay.trade.query' });
    expect(await callGateway(config, 'alipay.trade.query', { out_trade_no: 'x' })).toMatchObject({
      code: '40004',
      sub_code: 'ACQ.SYSTEM_ERROR',
    });
    expect(await callGateway(config, 'alipay.trade.query', { out_trade_no: 'x' })).toMatchObject({
      sub_code: 'ACQ.TRADE_NOT_EXIST',
    });
  });
});
