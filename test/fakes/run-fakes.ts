/**
 * Runs the channel fakes as their own node process:
 * `node test/fakes/run-fakes.ts <alipay port> <wechatpay port> [<stripe port> <adyen port>]`.
 * The worker tests start it from their global setup, whose modules vite resolves for workerd,
 * where the vendors' SDKs (built for node) do not load. Prints one JSON line once listening.
 */
import { startAdyenFake } from './adyen/index.ts';
import { startAlipayFake } from './alipay/index.ts';
import { startStripeFake } from './stripe/index.ts';
import { startWechatpayFake } from './wechatpay/index.ts';

const [alipayPort = '0', wechatpayPort = '0', stripePort = '0', adyenPort = '0'] = process.argv.slice(2);
const [alipay, wechatpay, stripe, adyen] = await Promise.all([
  startAlipayFake({ port: Number(alipayPort) }),
  startWechatpayFake({ port: Number(wechatpayPort) }),
  startStripeFake({ port: Number(stripePort) }),
  startAdyenFake({ port: Number(adyenPort) }),
]);
console.log(JSON.stringify({ alipay: alipay.url, wechatpay: wechatpay.url, stripe: stripe.url, adyen: adyen.url }));

const stop = () =>
  void Promise.all([alipay, wechatpay, stripe, adyen].map((fake) => fake.close())).finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent's end closes stdin: never outlive the test run.
process.stdin.on('end', stop);
process.stdin.resume();
