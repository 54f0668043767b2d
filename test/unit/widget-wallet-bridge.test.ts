/**
 * The messages between the frame and the loader for wallet payments, the launch parameters that
 * carry the merchant's return URL and openid, the QR countdown and the wallet strings.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clock, countdownNotice, secondsLeft } from '../../widget/app/countdown.ts';
import { fromFragment, type LaunchParams, returnUrlFor } from '../../widget/app/launch-params.ts';
import { hostReply } from '../../widget/app/wechat-pay.ts';
import { frameMessageOf, redirectUrlOf } from '../../widget/protocol/messages.ts';
import { wechatPayResultOf } from '../../widget/protocol/wechat-bridge.ts';

afterEach(() => vi.unstubAllGlobals());

describe('redirect requests (frame → loader)', () => {
  const frame = {};
  const worker = 'https://till.example';
  const fromFrame = (data: unknown) =>
    frameMessageOf(
      { source: frame, origin: worker, data } as Pick<MessageEvent, 'source' | 'origin' | 'data'>,
      frame,
      worker,
    );

  it('are Till messages', () => {
    const message = { type: 'redirect', payload: { url: 'https://openapi.alipay.com/gateway.do' } };
    expect(fromFrame({ source: 'till', ...message })).toEqual(message);
  });

  it.each([
    'https://openapi.alipay.com/gateway.do?a=1',
    'http://localhost:8787/sandbox/x',
    'HTTPS://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb',
  ])('send the tab to %s', (url) => expect(redirectUrlOf({ url })).toBe(url));

  it.each([
    ['javascript:', { url: 'javascript:alert(1)' }],
    ['data:', { url: 'data:text/html,hi' }],
    ['weixin:', { url: 'weixin://wxpay/bizpayurl?pr=x' }],
    ['leading space', { url: ' https://a.example' }],
    ['scheme-relative', { url: '//evil.example' }],
    ['no url', {}],
    ['no payload', undefined],
  ])('refuse %s', (_name, payload) => {
    expect(redirectUrlOf(payload)).toBeNull();
    expect(fromFrame({ source: 'till', type: 'redirect', payload })).toBeNull();
  });
});

describe("WeChat's payment sheet", () => {
  it.each([
    ['get_brand_wcpay_request:ok', 'ok'],
    ['get_brand_wcpay_request:cancel', 'cancel'],
    ['get_brand_wcpay_request:fail', 'fail'],
    ['get_brand_wcpay_request:fail_invalid appid', 'fail'],
    ['get_brand_wcpay_request: ok', 'fail'],
    [undefined, 'fail'],
    [42, 'fail'],
  ])('reads %j as %s', (errMsg, result) => expect(wechatPayResultOf(errMsg)).toBe(result));
});

describe('wechat_pay_result (loader → frame)', () => {
  const parent = {};
  const host = 'https://shop.example';
  const reply = (data: unknown, patch: { source?: unknown; origin?: string } = {}) =>
    hostReply(
      { source: parent, origin: host, data, ...patch } as Pick<MessageEvent, 'source' | 'origin' | 'data'>,
      parent,
      host,
    );

  it.each(['ok', 'cancel', 'fail'] as const)('takes %s from the parent on the host origin', (result) => {
    expect(
      reply({ source: 'till-host', type: 'wechat_pay_result', err_msg: `get_brand_wcpay_request:${result}` }),
    ).toBe(result);
  });

  it('reads a reply the bridge could not give (the bridge threw) as a failure', () => {
    expect(reply({ source: 'till-host', type: 'wechat_pay_result' })).toBe('fail');
  });

  it('ignores another window, even on the host origin', () => {
    expect(
      reply({ source: 'till-host', type: 'wechat_pay_result', err_msg: 'get_brand_wcpay_request:ok' }, { source: {} }),
    ).toBeNull();
  });

  it('ignores another origin, even from the parent', () => {
    expect(
      reply(
        { source: 'till-host', type: 'wechat_pay_result', err_msg: 'get_brand_wcpay_request:ok' },
        { origin: 'https://evil.example' },
      ),
    ).toBeNull();
  });

  it.each([
    ['another source', { source: 'till', type: 'wechat_pay_result', err_msg: 'get_brand_wcpay_request:ok' }],
    ['another type', { source: 'till-host', type: 'redirect', err_msg: 'get_brand_wcpay_request:ok' }],
    ['a string', 'ok'],
    ['null', null],
  ])('ignores %s', (_name, data) => expect(reply(data)).toBeNull());
});

describe('launch parameters', () => {
  const fragment = (entries: Record<string, string>): string => `#${new URLSearchParams(entries)}`;

  it('read the return URL and openid the loader passes', () => {
    const launch = fromFragment(
      fragment({
        token: 't',
        origin: 'https://shop.example',
        page: 'https://shop.example/cart?id=1',
        return_url: 'https://shop.example/back',
        openid: 'o_123456',
      }),
    );
    expect(launch).toEqual({
      token: 't',
      hostOrigin: 'https://shop.example',
      locale: null,
      returnUrl: 'https://shop.example/back',
      openId: 'o_123456',
      appearance: null,
      nativeHost: false,
      androidInterface: null,
    });
  });

  it('return to the page itself when the merchant chose no return URL', () => {
    expect(fromFragment(fragment({ token: 't', page: 'https://shop.example/cart?id=1' }))?.returnUrl).toBe(
      'https://shop.example/cart?id=1',
    );
  });

  it("take an app's deep link as the return URL, as the API does", () => {
    expect(
      fromFragment(fragment({ token: 't', page: 'https://shop.example/cart', return_url: 'myapp://paid' }))?.returnUrl,
    ).toBe('myapp://paid');
  });

  it('drop a return URL the API would refuse', () => {
    const launch = fromFragment(
      fragment({ token: 't', page: 'https://shop.example/cart', return_url: 'javascript://%0aalert(1)' }),
    );
    expect(launch?.returnUrl).toBe('https://shop.example/cart');
    expect(fromFragment(fragment({ token: 't', page: 'javascript:alert(1)' }))?.returnUrl).toBeNull();
  });

  it('drop a host origin that is not a bare origin', () => {
    expect(fromFragment(fragment({ token: 't', origin: 'https://shop.example/path' }))?.hostOrigin).toBeNull();
  });

  it('need a token', () => {
    expect(fromFragment(fragment({ origin: 'https://shop.example' }))).toBeNull();
  });

  it('ride along in the challenge return URL when storage is refused', () => {
    vi.stubGlobal('location', new URL('https://till.example/v1/frame?order=ord_1'));
    const params: LaunchParams = {
      orderId: 'ord_1',
      token: 't',
      hostOrigin: 'https://shop.example',
      locale: 'zh-CN',
      returnUrl: 'https://shop.example/cart',
      openId: 'o_123456',
      appearance: { theme: 'dark' },
      nativeHost: true,
      androidInterface: 'ShopBridge',
      storageWorks: false,
    };
    const url = new URL(returnUrlFor(params));
    expect(`${url.origin}${url.pathname}${url.search}`).toBe('https://till.example/v1/frame?order=ord_1');
    expect(fromFragment(url.hash)).toEqual({
      token: 't',
      hostOrigin: 'https://shop.example',
      locale: 'zh-CN',
      returnUrl: 'https://shop.example/cart',
      openId: 'o_123456',
      appearance: { theme: 'dark' },
      nativeHost: true,
      androidInterface: 'ShopBridge',
    });
    expect(returnUrlFor({ ...params, storageWorks: true })).toBe('https://till.example/v1/frame?order=ord_1');
  });
});

describe('QR countdown', () => {
  it('counts whole seconds up, down to zero', () => {
    expect(secondsLeft(10_000, 0)).toBe(10);
    expect(secondsLeft(10_000, 9_001)).toBe(1);
    expect(secondsLeft(10_000, 10_000)).toBe(0);
    expect(secondsLeft(10_000, 99_999)).toBe(0);
  });

  it.each([
    [0, '00:00'],
    [59, '00:59'],
    [300, '05:00'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [7 * 86_400, '168:00:00'],
  ])('shows %i s as %s', (seconds, shown) => expect(clock(seconds)).toBe(shown));

  it('speaks when the last minute starts and at expiry, not every second', () => {
    const notices = [null, 600, 61, 60, 59, 30, 1, 0].map((seconds) => countdownNotice(seconds));
    expect(notices).toEqual([null, null, null, 'soon', 'soon', 'soon', 'soon', 'expired']);
  });
});
