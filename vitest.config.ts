import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { generateSigningKey } from './shared/jws.ts';
import { adyenApi, alipayGateway, FAKE_PORTS, stripeApi, wechatpayApi } from './test/fakes/ports.ts';

// Worker tests get their own throwaway platform secrets.
const testSecrets = {
  TILL_SIGNING_KEY: JSON.stringify(await generateSigningKey()),
  TILL_ADMIN_KEY: 'admin_test_key_for_worker_tests',
  SANDBOX_NOTIFY_SECRET: 'sandbox_test_secret_0123456789',
  // Sealing key for worker tests; the previous key lets tests prove re-encryption.
  TILL_MASTER_KEY: `test2:${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`,
  TILL_PREVIOUS_MASTER_KEYS: `test1:${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`,
  TILL_FINGERPRINT_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'),
  // Test mode talks to the local fakes that test/fakes/global-setup.ts starts.
  ALIPAY_GATEWAY_TEST: alipayGateway(FAKE_PORTS.worker.alipay),
  WECHATPAY_API_TEST: wechatpayApi(FAKE_PORTS.worker.wechatpay),
  STRIPE_API_TEST: stripeApi(FAKE_PORTS.worker.stripe),
  ADYEN_API_TEST: adyenApi(FAKE_PORTS.worker.adyen),
  // Long enough for a loaded CI machine, short enough that the failover tests' slow stand-in outlasts it.
  TILL_PROCESSOR_TIMEOUT_MS: '2500',
};

const migrations = await readD1Migrations('./migrations');

// `npm run fuzz -- --runs N --seed S` (scripts/fuzz.ts) hands its settings to the fuzz test through these.
const fuzzSettings = {
  TILL_FUZZ_RUNS: process.env.TILL_FUZZ_RUNS ?? '',
  TILL_FUZZ_SEED: process.env.TILL_FUZZ_SEED ?? '',
};

export default defineConfig({
  test: {
    // The JSON report lets .ci/run print one plain closing line for the whole run.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: { ...testSecrets, ...fuzzSettings, TEST_MIGRATIONS: migrations },
              // Every request from SELF comes from one client (no CF-Connecting-IP) and the fuzz
              // tests pay one order 60 times: with wrangler.toml's limits they would meet 429s.
              // test/worker/rate-limit.test.ts covers limiting with TEST_LIMITER instead.
              ratelimits: {
                MERCHANT_KEY_LIMITER: { namespace_id: '7101', simple: { limit: 1_000_000, period: 60 } },
                KEY_LOOKUP_LIMITER: { namespace_id: '7104', simple: { limit: 1_000_000, period: 60 } },
                CHECKOUT_READ_LIMITER: { namespace_id: '7102', simple: { limit: 1_000_000, period: 60 } },
                CHECKOUT_ATTEMPT_LIMITER: { namespace_id: '7103', simple: { limit: 1_000_000, period: 60 } },
                TEST_LIMITER: { namespace_id: '7999', simple: { limit: 3, period: 60 } },
              },
            },
          }),
        ],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          setupFiles: ['test/worker/apply-migrations.ts'],
          globalSetup: ['test/fakes/global-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
