/** Where the channel fakes listen: one pair for the worker tests, another for wrangler dev (e2e, `npm start`). */
export const FAKE_PORTS = {
  worker: { alipay: 8811, wechatpay: 8812 },
  dev: { alipay: 8821, wechatpay: 8822 },
} as const;

export const alipayGateway = (port: number): string => `http://127.0.0.1:${port}/gateway.do`;
export const wechatpayApi = (port: number): string => `http://127.0.0.1:${port}`;
