/** Where the channel fakes listen for the worker tests (wrangler dev gives its own fakes free ports). */
export const FAKE_PORTS = {
  worker: { alipay: 8811, wechatpay: 8812 },
} as const;

export const alipayGateway = (base: string | number): string =>
  `${typeof base === 'number' ? `http://127.0.0.1:${base}` : base}/gateway.do`;
export const wechatpayApi = (base: string | number): string =>
  typeof base === 'number' ? `http://127.0.0.1:${base}` : base;
