/**
 * The Alipay, WeChat Pay, Stripe and Adyen fakes, for wrangler dev (`npm start`, the browser tests, the
 * benchmark): each on a free port, with the worker variables that point test mode at them and the
 * credentials of the merchant account each fake knows.
 */
import { ADYEN_TEST_API_KEY, ADYEN_TEST_HMAC_KEY, ADYEN_TEST_MERCHANT_ACCOUNT } from './adyen/account.ts';
import { startAdyenFake } from './adyen/index.ts';
import { startAlipayFake } from './alipay/index.ts';
import {
  ALIPAY_APP_ID,
  ALIPAY_APP_PRIVATE_KEY_PKCS1,
  FAKE_ALIPAY_PUBLIC_KEY,
  fakeWechatpayCredentials,
} from './keys.ts';
import { adyenApi, alipayGateway, stripeApi, wechatpayApi } from './ports.ts';
import type { RunningFake } from './serve.ts';
import { STRIPE_TEST_SECRET_KEY, STRIPE_TEST_WEBHOOK_SECRET } from './stripe/account.ts';
import { startStripeFake } from './stripe/index.ts';
import { startWechatpayFake } from './wechatpay/index.ts';

export interface ChannelFakes {
  alipay: RunningFake;
  wechatpay: RunningFake;
  stripe: RunningFake;
  adyen: RunningFake;
  /** Worker variables (wrangler `--var`) pointing test mode at the fakes. */
  vars: Record<string, string>;
  close(): Promise<void>;
}

export async function startChannelFakes(): Promise<ChannelFakes> {
  const [alipay, wechatpay, stripe, adyen] = await Promise.all([
    startAlipayFake({ port: 0 }),
    startWechatpayFake({ port: 0 }),
    startStripeFake({ port: 0 }),
    startAdyenFake({ port: 0 }),
  ]);
  let closed: Promise<void> | undefined;
  return {
    alipay,
    wechatpay,
    stripe,
    adyen,
    vars: {
      ALIPAY_GATEWAY_TEST: alipayGateway(alipay.url),
      WECHATPAY_API_TEST: wechatpayApi(wechatpay.url),
      STRIPE_API_TEST: stripeApi(stripe.url),
      ADYEN_API_TEST: adyenApi(adyen.url),
    },
    close: () =>
      (closed ??= Promise.all([alipay, wechatpay, stripe, adyen].map((fake) => fake.close())).then(() => undefined)),
  };
}

/** The credentials a merchant enters for the accounts the fakes know (test mode). */
export function fakeMerchantCredentials() {
  return {
    alipay: {
      app_id: ALIPAY_APP_ID,
      app_private_key: ALIPAY_APP_PRIVATE_KEY_PKCS1,
      alipay_public_key: FAKE_ALIPAY_PUBLIC_KEY,
    },
    wechatpay: fakeWechatpayCredentials(),
    stripe: { secret_key: STRIPE_TEST_SECRET_KEY, webhook_secret: STRIPE_TEST_WEBHOOK_SECRET },
    adyen: {
      api_key: ADYEN_TEST_API_KEY,
      merchant_account: ADYEN_TEST_MERCHANT_ACCOUNT,
      hmac_key: ADYEN_TEST_HMAC_KEY,
    },
  };
}

/**
 * Points the Stripe and Adyen stand-ins' webhooks for the accounts above at a running Till, as a
 * merchant adds the endpoint in each dashboard (the stand-ins forget it when they stop).
 */
export async function pointProcessorWebhooks(fakes: ChannelFakes, tillUrl: string): Promise<void> {
  const register = async (fake: RunningFake, body: Record<string, string>) => {
    const response = await fetch(`${fake.url}/_fake/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`could not register a webhook at ${fake.url}: ${await response.text()}`);
  };
  await register(fakes.stripe, { secret_key: STRIPE_TEST_SECRET_KEY, url: `${tillUrl}/v1/channels/stripe/events` });
  await register(fakes.adyen, { api_key: ADYEN_TEST_API_KEY, url: `${tillUrl}/v1/channels/adyen/events` });
}
