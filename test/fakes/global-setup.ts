/** Starts the channel fakes for the worker tests (the Workers runtime calls them over local HTTP). */
import { startAlipayFake } from './alipay/index.ts';
import { FAKE_PORTS } from './ports.ts';
import type { RunningFake } from './serve.ts';
import { startWechatpayFake } from './wechatpay/index.ts';

let fakes: RunningFake[] = [];

export async function setup(): Promise<void> {
  fakes = await Promise.all([
    startAlipayFake({ port: FAKE_PORTS.worker.alipay }),
    startWechatpayFake({ port: FAKE_PORTS.worker.wechatpay }),
  ]);
}

export async function teardown(): Promise<void> {
  await Promise.all(fakes.map((fake) => fake.close()));
}
