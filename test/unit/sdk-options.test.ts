/** The server SDK's options: the keys and base URLs a client takes, and exact messages for the rest. */
import { describe, expect, it } from 'vitest';
import { OPTION_ERRORS, Till, type TillOptions } from '../../sdk/index.ts';
import { BASE, client, json, MERCHANT, ORDER_ID, order, SECRET_KEY } from './sdk-helpers.ts';

describe('Till options', () => {
  const base: TillOptions = { secretKey: SECRET_KEY, baseUrl: BASE };

  it('accepts secret and restricted keys and http(s) base URLs', () => {
    expect(() => new Till(base)).not.toThrow();
    expect(() => new Till({ ...base, secretKey: `sk_live_${MERCHANT.slice(4)}_${'k'.repeat(32)}` })).not.toThrow();
    expect(() => new Till({ ...base, secretKey: 'rk_test_abcdefghij0123456789' })).not.toThrow();
    expect(() => new Till({ ...base, baseUrl: 'http://localhost:8787/' })).not.toThrow();
  });

  it('refuses bad options with exact messages', () => {
    expect(() => new Till({ ...base, secretKey: '' })).toThrow(new TypeError(OPTION_ERRORS.secretKey));
    expect(() => new Till({ ...base, secretKey: 'sk_prod_abc' })).toThrow(OPTION_ERRORS.secretKey);
    expect(() => new Till({ ...base, secretKey: `pk_test_${MERCHANT.slice(4)}_${'k'.repeat(32)}` })).toThrow(
      OPTION_ERRORS.publishableKey,
    );
    expect(OPTION_ERRORS.secretKey).toBe(
      'Till: secretKey must be a secret key like sk_test_…, sk_live_… or a restricted key rk_…',
    );
    expect(() => new Till({ ...base, baseUrl: 'till.example.com' })).toThrow(OPTION_ERRORS.baseUrl);
    expect(() => new Till({ ...base, baseUrl: 'ftp://till.example.com' })).toThrow(OPTION_ERRORS.baseUrl);
    expect(OPTION_ERRORS.baseUrl).toBe('Till: baseUrl must be an http(s) URL like https://till.example.com');
    expect(() => new Till({ ...base, maxRetries: -1 })).toThrow(OPTION_ERRORS.maxRetries);
    expect(() => new Till({ ...base, maxRetries: 1.5 })).toThrow(OPTION_ERRORS.maxRetries);
    expect(() => new Till({ ...base, timeoutMs: 0 })).toThrow(OPTION_ERRORS.timeoutMs);
    expect(() => new Till({ ...base, signing: { secret: 'short' } })).toThrow(OPTION_ERRORS.signing);
    expect(() => new Till({ ...base, signing: { privateKey: new Uint8Array(31) } })).toThrow(OPTION_ERRORS.signing);
    expect(() => new Till({ ...base, signing: { privateKey: new Uint8Array(32), kid: 'bad kid' } })).toThrow(
      OPTION_ERRORS.signing,
    );
  });

  it('keeps a base URL path prefix', async () => {
    const { till, sent } = client([json(order())], { baseUrl: 'https://example.com/till/' });
    await till.orders.retrieve(ORDER_ID(1));
    expect(sent[0]?.url.href).toBe(`https://example.com/till/v1/orders/${ORDER_ID(1)}`);
  });
});
