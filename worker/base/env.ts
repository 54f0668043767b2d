import type { SandboxProcessor } from '../channels/sandbox/processor.ts';
import type { DemoShop } from '../demo/demo-shop.ts';
import type { IdempotencyStore } from '../idempotency/idempotency-store.ts';
import type { MerchantObject } from '../merchants/merchant-object.ts';
import type { OrderObject } from '../orders/order-object.ts';

/** Bindings and secrets of the worker (wrangler.toml + `wrangler secret put` / `.dev.vars`). */
export interface Env {
  ORDERS: DurableObjectNamespace<OrderObject>;
  MERCHANTS: DurableObjectNamespace<MerchantObject>;
  SANDBOX: DurableObjectNamespace<SandboxProcessor>;
  DEMO_SHOP: DurableObjectNamespace<DemoShop>;
  /** One object per Idempotency-Key: the first request's answer, kept 25 h. */
  IDEMPOTENCY: DurableObjectNamespace<IdempotencyStore>;
  /** Rate limiting ([[ratelimits]] in wrangler.toml; limits in worker/http/rate-limit.ts RATE_LIMITS). */
  MERCHANT_KEY_LIMITER: RateLimit;
  KEY_LOOKUP_LIMITER: RateLimit;
  CHECKOUT_READ_LIMITER: RateLimit;
  CHECKOUT_ATTEMPT_LIMITER: RateLimit;
  /** The orders index: a projection of the order objects for listing and reports. */
  DB: D1Database;
  ASSETS: Fetcher;
  /** "development" serves the demo shop at /demo. */
  TILL_ENV: string;
  /** Current Ed25519 private JWK (JSON) signing client tokens and receipts. */
  TILL_SIGNING_KEY: string;
  /** Optional JSON array of retired public JWKs still accepted for verification. */
  TILL_PREVIOUS_PUBLIC_KEYS?: string;
  /** Bearer key of the platform admin API. */
  TILL_ADMIN_KEY: string;
  /** Master key sealing channel credentials and merchant secrets: "<key id>:<32 bytes base64url>". */
  TILL_MASTER_KEY: string;
  /** Optional retired master keys, comma-separated, still able to open what they sealed. */
  TILL_PREVIOUS_MASTER_KEYS?: string;
  /** HMAC key of card fingerprints (32 bytes base64url); stable, unlike the master key. */
  TILL_FINGERPRINT_KEY: string;
  /** Secret the sandbox channel signs its notifications with. */
  SANDBOX_NOTIFY_SECRET: string;
  /** Alipay gateways per mode; defaults: Alipay's sandbox gateway for test, production for live. */
  ALIPAY_GATEWAY_TEST?: string;
  ALIPAY_GATEWAY_LIVE?: string;
  /** WeChat Pay API v3 base per mode. WeChat Pay has no sandbox: test mode works only where the
   * operator points WECHATPAY_API_TEST at a stand-in (the bundled fake); live defaults to production. */
  WECHATPAY_API_TEST?: string;
  WECHATPAY_API_LIVE?: string;
  /** Stripe's API per mode; default https://api.stripe.com for both (Stripe has a test mode of its own). */
  STRIPE_API_TEST?: string;
  STRIPE_API_LIVE?: string;
  /** Adyen's Checkout API base per mode, e.g. https://checkout-test.adyen.com (see the Adyen channel). */
  ADYEN_API_TEST?: string;
  ADYEN_API_LIVE?: string;
  /** How long a card processor may take to answer before the router tries the next (ms; default 15000). */
  TILL_PROCESSOR_TIMEOUT_MS?: string;
  /**
   * Merchant ids (comma-separated) whose requests the rate limiters do not count: for a load test's
   * own merchant, never set in production unless an operator means it (worker/http/rate-limit.ts).
   */
  TILL_RATE_LIMIT_EXEMPT?: string;
}

export interface AppVariables {
  requestId: string;
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}
