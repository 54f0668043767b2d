/** Where the channel fakes listen for the worker tests (wrangler dev gives its own fakes free ports). */
// TILL_FAKES_PORT moves them, so two checkouts can run their worker tests side by side.
const base = Number(process.env.TILL_FAKES_PORT ?? 8811);
export const FAKE_PORTS = {
  worker: { alipay: base, wechatpay: base + 1, stripe: base + 2, adyen: base + 3 },
} as const;

export const alipayGateway = (base: string | number): string =>
  `${typeof base === 'number' ? `http://127.0.0.1:${base}` : base}/gateway.do`;
export const wechatpayApi = (base: string | number): string =>
  typeof base === 'number' ? `http://127.0.0.1:${base}` : base;
/** A fake's origin, from its port (the worker tests) or its URL (wrangler dev). */
const fakeOrigin = (base: string | number): string => (typeof base === 'number' ? `http://127.0.0.1:${base}` : base);
export const stripeApi = (base: string | number): string => fakeOrigin(base);
export const adyenApi = (base: string | number): string => fakeOrigin(base);
