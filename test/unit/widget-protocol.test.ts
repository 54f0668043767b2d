/**
 * The frame ↔ loader protocol (widget/protocol): the guards each side runs on what it receives,
 * the launch fragment, and the relay to an app's native bridge.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHostBridge } from '../../widget/app/host-bridge.ts';
import { readLaunchFragment, writeLaunchFragment } from '../../widget/protocol/launch-fragment.ts';
import { type FrameMessage, frameMessageOf, hostMessageOf } from '../../widget/protocol/messages.ts';
import { relayToNativeApp } from '../../widget/protocol/native-bridge.ts';

type Received = Pick<MessageEvent, 'source' | 'origin' | 'data'>;
/** Another window, as far as the guards can tell. */
const otherWindow = {} as MessageEventSource;

afterEach(() => vi.unstubAllGlobals());

describe('frame → loader', () => {
  const frame = {};
  const worker = 'https://till.example';
  const receive = (data: unknown, patch: Partial<Received> = {}) =>
    frameMessageOf({ source: frame, origin: worker, data, ...patch } as Received, frame, worker);

  it.each<FrameMessage>([
    { type: 'ready', payload: { order_id: 'ord_1', locale: 'fr' } },
    { type: 'paid', payload: { order_id: 'ord_1', receipt: 'eyJ.x.y' } },
    { type: 'canceled' },
    { type: 'resize', payload: { height: 0 } },
    { type: 'resize', payload: { height: 412.5 } },
    { type: 'redirect', payload: { url: 'https://openapi.alipay.com/gateway.do' } },
    { type: 'wechat_pay', payload: { params: { appId: 'wx1', paySign: 's' } } },
  ])('takes $type from its own frame on the worker origin', (message) => {
    expect(receive({ source: 'till', ...message })).toEqual({ payload: undefined, ...message });
  });

  it('ignores another window, even on the worker origin', () => {
    expect(receive({ source: 'till', type: 'paid', payload: {} }, { source: otherWindow })).toBeNull();
    expect(receive({ source: 'till', type: 'paid', payload: {} }, { source: null })).toBeNull();
  });

  it('ignores another origin, even from its own frame', () => {
    for (const origin of ['https://evil.example', 'https://till.example:8443', 'http://till.example', 'null'])
      expect(receive({ source: 'till', type: 'paid', payload: {} }, { origin }), origin).toBeNull();
  });

  it.each([
    ['the host envelope', { source: 'till-host', type: 'paid' }],
    ['no type', { source: 'till', payload: {} }],
    ['a type that is no string', { source: 'till', type: 1 }],
    ['a payload that is an array', { source: 'till', type: 'paid', payload: ['ord_1'] }],
    ['a payload that is null', { source: 'till', type: 'paid', payload: null }],
    ['a payload that is a string', { source: 'till', type: 'paid', payload: 'ord_1' }],
    ['a resize without height', { source: 'till', type: 'resize', payload: {} }],
    ['a resize without payload', { source: 'till', type: 'resize' }],
    ['a negative height', { source: 'till', type: 'resize', payload: { height: -1 } }],
    ['a height that is no number', { source: 'till', type: 'resize', payload: { height: 'tall' } }],
    ['a redirect to javascript:', { source: 'till', type: 'redirect', payload: { url: 'javascript:alert(1)' } }],
    ['a string', 'paid'],
    ['null', null],
  ])('ignores %s', (_name, data) => expect(receive(data)).toBeNull());
});

describe('loader → frame', () => {
  const parent = {};
  const host = 'https://shop.example';
  const receive = (data: unknown, patch: Partial<Received> = {}) =>
    hostMessageOf({ source: parent, origin: host, data, ...patch } as Received, parent, host);

  it('takes an update, with the appearance left for the frame to check', () => {
    const appearance = { theme: 'dark', variables: { colorPrimary: 'nope' }, extra: 1 };
    expect(receive({ source: 'till-host', type: 'update', options: { locale: 'de', appearance } })).toEqual({
      type: 'update',
      options: { locale: 'de', appearance },
    });
  });

  it('keeps an empty locale (back to the shopper’s languages) and drops one that is no string', () => {
    expect(receive({ source: 'till-host', type: 'update', options: { locale: '' } })).toEqual({
      type: 'update',
      options: { locale: '', appearance: undefined },
    });
    expect(receive({ source: 'till-host', type: 'update', options: { locale: 5, appearance: null } })).toEqual({
      type: 'update',
      options: { locale: undefined, appearance: null },
    });
  });

  it('reads options that are not an object as none', () => {
    for (const options of [undefined, null, 'de', ['de']])
      expect(receive({ source: 'till-host', type: 'update', options })).toEqual({
        type: 'update',
        options: { locale: undefined, appearance: undefined },
      });
  });

  it("takes WeChat's answer, and an err_msg that is no string as none", () => {
    const ok = 'get_brand_wcpay_request:ok';
    expect(receive({ source: 'till-host', type: 'wechat_pay_result', err_msg: ok })).toEqual({
      type: 'wechat_pay_result',
      err_msg: ok,
    });
    expect(receive({ source: 'till-host', type: 'wechat_pay_result', err_msg: { ok } })).toEqual({
      type: 'wechat_pay_result',
      err_msg: undefined,
    });
  });

  it('ignores another window, another origin, the frame envelope and unknown types', () => {
    const update = { source: 'till-host', type: 'update', options: { locale: 'de' } };
    expect(receive(update, { source: otherWindow })).toBeNull();
    expect(receive(update, { origin: 'https://evil.example' })).toBeNull();
    expect(receive({ ...update, source: 'till' })).toBeNull();
    expect(receive({ ...update, type: 'redirect' })).toBeNull();
    expect(receive(null)).toBeNull();
  });
});

describe('launch fragment', () => {
  it('writes what is given, leaves out what is empty, and reads it back', () => {
    const fragment = writeLaunchFragment({
      token: 'a.b.c',
      origin: 'https://shop.example',
      page: 'https://shop.example/cart?x=1&y=2',
      locale: '',
      return_url: null,
      openid: undefined,
      appearance: '{"theme":"dark"}',
      native: '1',
    });
    expect([...new URLSearchParams(fragment).keys()]).toEqual(['token', 'origin', 'page', 'appearance', 'native']);
    const read = readLaunchFragment(`#${fragment}`);
    expect(read('page')).toBe('https://shop.example/cart?x=1&y=2');
    expect(read('appearance')).toBe('{"theme":"dark"}');
    expect(read('locale')).toBeNull();
    expect(readLaunchFragment(`${fragment}`)('token')).toBe('a.b.c');
  });
});

describe("an app's native bridges", () => {
  const paid = { type: 'paid', payload: { order_id: 'ord_1', receipt: 'r' } } as const;
  const wire = { source: 'till', ...paid };

  function stubBridges() {
    const received = { reactNative: [] as unknown[], webkit: [] as unknown[], android: [] as unknown[] };
    vi.stubGlobal('window', {
      ReactNativeWebView: { postMessage: (message: unknown) => received.reactNative.push(message) },
      webkit: { messageHandlers: { till: { postMessage: (message: unknown) => received.webkit.push(message) } } },
      ShopBridge: { postMessage: (message: unknown) => received.android.push(message) },
    });
    return received;
  }

  it('get every event: React Native and Android as JSON text, WKWebView as an object', () => {
    const received = stubBridges();
    expect(relayToNativeApp(paid, 'ShopBridge')).toBe(true);
    expect(received.reactNative.map((text) => JSON.parse(text as string))).toEqual([wire]);
    expect(received.android.map((text) => JSON.parse(text as string))).toEqual([wire]);
    expect(received.webkit).toEqual([wire]);
  });

  it('are only looked for when there is no event', () => {
    const received = stubBridges();
    expect(relayToNativeApp(null, 'ShopBridge')).toBe(true);
    expect(received).toEqual({ reactNative: [], webkit: [], android: [] });
    vi.stubGlobal('window', {});
    expect(relayToNativeApp(null, 'TillAndroid')).toBe(false);
  });

  it('do not stop the others when one throws', () => {
    const received = stubBridges();
    (window as unknown as { ReactNativeWebView: unknown }).ReactNativeWebView = {
      postMessage: () => {
        throw new Error('gone');
      },
    };
    expect(relayToNativeApp(paid, 'ShopBridge')).toBe(true);
    expect(received.webkit).toEqual([wire]);
  });

  it("hear a frame opened on its own, but not the loader's requests", () => {
    const received = stubBridges();
    (window as unknown as { parent: unknown }).parent = window;
    const post = createHostBridge(null, 'ShopBridge');
    post({ type: 'resize', payload: { height: 10 } });
    post({ type: 'redirect', payload: { url: 'https://a.example' } });
    post(paid);
    expect(received.webkit).toEqual([wire]);
  });
});
