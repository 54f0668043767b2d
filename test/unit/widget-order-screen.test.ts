/** Which screen the widget shows for each order summary and what the frame knows beyond it. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Attempt, CheckoutSummary, NextAction, PaymentMethod } from '../../shared/schemas.ts';
import { isStale } from '../../widget/app/live-updates.ts';
import { NO_SCREEN_STATE, type ScreenState, screenFor, usableMethods } from '../../widget/app/order-screen.ts';

const ORDER_EXPIRES_AT = 1_900_000_000; // Unix seconds
const ATTEMPT_ID = `att_${'a'.repeat(24)}`;

function summary(
  status: CheckoutSummary['order']['status'],
  action: NextAction | null,
  channel = 'alipay',
): CheckoutSummary {
  const attempt: Attempt | null = action
    ? {
        id: ATTEMPT_ID,
        channel,
        method: 'm',
        status: 'requires_action',
        amount: 100,
        currency: 'CNY',
        created_at: 0,
        next_action: action,
        failure: null,
        instrument: null,
        needs_refund: false,
      }
    : null;
  return {
    order: {
      id: `ord_${'b'.repeat(24)}`,
      status,
      amount: 100,
      currency: 'CNY',
      description: 'Tea',
      merchant_name: 'Shop',
      mode: 'test',
      expires_at: ORDER_EXPIRES_AT,
      return_url: null,
      version: 1,
    },
    methods: [],
    attempt,
    last_failure: null,
    receipt: null,
  };
}

const state = (patch: Partial<ScreenState>): ScreenState => ({ ...NO_SCREEN_STATE, ...patch });

beforeEach(() => vi.stubGlobal('location', new URL('https://till.example/v1/frame?order=x')));
afterEach(() => vi.unstubAllGlobals());

describe('screenFor: QR codes', () => {
  it('gives the code its expiry in ms, renewable while the order outlives it', () => {
    const qr = summary('requires_action', {
      type: 'qr',
      payload: 'https://qr.alipay.com/x',
      expires_at: ORDER_EXPIRES_AT - 600,
    });
    expect(screenFor(qr, NO_SCREEN_STATE)).toEqual({
      kind: 'qr',
      payload: 'https://qr.alipay.com/x',
      expiresAt: (ORDER_EXPIRES_AT - 600) * 1000,
      renewable: true,
    });
  });

  it('is not renewable when the code lives as long as the order', () => {
    const qr = summary('requires_action', {
      type: 'qr',
      payload: 'weixin://wxpay/bizpayurl?pr=x',
      expires_at: ORDER_EXPIRES_AT,
    });
    expect(screenFor(qr, NO_SCREEN_STATE)).toMatchObject({ kind: 'qr', renewable: false });
  });

  it('has no countdown when the channel gives no expiry', () => {
    const qr = summary('requires_action', { type: 'qr', payload: 'p' });
    expect(screenFor(qr, NO_SCREEN_STATE)).toMatchObject({ kind: 'qr', expiresAt: null, renewable: false });
  });
});

describe('screenFor: cashier pages', () => {
  const redirect = summary('requires_action', { type: 'redirect', url: 'https://openapi.alipay.com/gateway.do?x=1' });

  it('offers to continue to the cashier page', () => {
    expect(screenFor(redirect, NO_SCREEN_STATE)).toEqual({
      kind: 'redirect',
      url: 'https://openapi.alipay.com/gateway.do?x=1',
      returned: false,
    });
  });

  it('is on the way there once handed off', () => {
    expect(screenFor(redirect, state({ handedOffAttemptId: ATTEMPT_ID }))).toEqual({
      kind: 'leaving',
      url: 'https://openapi.alipay.com/gateway.do?x=1',
    });
  });

  it('knows when the shopper came back from it', () => {
    expect(screenFor(redirect, state({ returned: true }))).toMatchObject({ kind: 'redirect', returned: true });
  });

  it('follows no URL but http(s)', () => {
    expect(
      screenFor(summary('requires_action', { type: 'redirect', url: 'javascript:alert(1)' }), NO_SCREEN_STATE),
    ).toEqual({ kind: 'processing' });
  });

  it('keeps a card challenge apart (it stays in the frame)', () => {
    const challenge = summary(
      'requires_action',
      { type: 'three_ds', url: 'https://till.example/sandbox/challenge/x' },
      'sandbox',
    );
    expect(screenFor(challenge, state({ handedOffAttemptId: ATTEMPT_ID }))).toEqual({
      kind: 'action',
      url: 'https://till.example/sandbox/challenge/x',
    });
  });
});

describe('screenFor: a card attempt this frame is starting', () => {
  // Pushed live while the processor is called: the order is processing, its attempt pending.
  const calling = summary('processing', null);
  const pending = { ...calling, attempt: { ...summary('requires_action', { type: 'qr', payload: 'x' }).attempt! } };
  pending.attempt.status = 'pending';
  pending.attempt.next_action = null;

  it('keeps the card form (its Pay button busy) so a decline finds it as the shopper typed it', () => {
    expect(screenFor(calling, state({ starting: true }))).toEqual({ kind: 'pay' });
    expect(screenFor(pending, state({ starting: true }))).toEqual({ kind: 'pay' });
  });

  it('shows the processing screen to a frame that did not start it, and once the answer is in', () => {
    expect(screenFor(calling, NO_SCREEN_STATE)).toEqual({ kind: 'processing' });
    expect(screenFor(pending, NO_SCREEN_STATE)).toEqual({ kind: 'processing' });
  });
});

describe('screenFor: WeChat Pay inside WeChat', () => {
  const params = { appId: 'wx1', timeStamp: '1', nonceStr: 'n', package: 'prepay_id=p', signType: 'RSA', paySign: 's' };
  const jsapi = summary('requires_action', { type: 'jsapi', params }, 'wechatpay');

  it('asks for the payment sheet', () => {
    expect(screenFor(jsapi, NO_SCREEN_STATE)).toEqual({ kind: 'wallet', params });
  });

  it("waits for the order after WeChat's ok, which proves nothing by itself", () => {
    expect(screenFor(jsapi, state({ handedOffAttemptId: ATTEMPT_ID }))).toEqual({ kind: 'processing' });
  });

  it('goes back to the choice of method when the attempt is dismissed', () => {
    expect(screenFor(jsapi, state({ dismissedAttemptId: ATTEMPT_ID }))).toEqual({ kind: 'pay' });
  });

  it('lets the order decide once it is paid', () => {
    expect(screenFor(summary('paid', { type: 'jsapi', params }, 'wechatpay'), NO_SCREEN_STATE)).toEqual({
      kind: 'paid',
    });
  });
});

describe('usableMethods', () => {
  const methods: PaymentMethod[] = [
    { channel: 'wechatpay', method: 'jsapi', kind: 'jsapi', label: 'WeChat Pay' },
    { channel: 'sandbox', method: 'card', kind: 'card', label: 'Card' },
  ];

  it('hides WeChat Pay inside WeChat without the payer’s openid', () => {
    expect(usableMethods(methods, null).map((method) => method.method)).toEqual(['card']);
  });

  it('offers it with one', () => {
    expect(usableMethods(methods, 'o_openid_123')).toEqual(methods);
  });
});

describe('isStale: summaries that arrive late', () => {
  const at = (status: CheckoutSummary['order']['status'], version: number): CheckoutSummary => {
    const base = summary(status, null);
    return { ...base, order: { ...base.order, version } };
  };

  it('drops a summary older than the one shown (a poll answered after the attempt’s own answer)', () => {
    expect(isStale(at('requires_action', 3), at('open', 1))).toBe(true);
    expect(isStale(at('open', 1), at('requires_action', 3))).toBe(false);
    // The same version may carry newer attempt news: taken.
    expect(isStale(at('open', 2), at('open', 2))).toBe(false);
    expect(isStale(null, at('open', 1))).toBe(false);
  });

  it('never undoes a settled outcome', () => {
    expect(isStale(at('paid', 4), at('processing', 4))).toBe(true);
  });
});
