import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { Merchant } from '../../shared/schemas.ts';
import { Vault } from '../../worker/base/vault.ts';
import type { MerchantObject } from '../../worker/merchants/merchant-object.ts';
import { call, createMerchant } from './helpers.ts';

const credentials = () => ({
  account_id: `acct_${crypto.randomUUID().slice(0, 8)}`,
  secret_key: `sbx_sk_${crypto.randomUUID().replaceAll('-', '')}`,
});
const merchantStub = (id: string) => env.MERCHANTS.get(env.MERCHANTS.idFromName(id));

/** Every value in every table of the merchant's storage, as one string. */
async function storageDump(merchantId: string): Promise<string> {
  return runInDurableObject(merchantStub(merchantId), (_instance: MerchantObject, state) => {
    const tables = state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'",
      )
      .toArray();
    return tables
      .map(({ name }) => JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray()))
      .join('\n');
  });
}

describe('channel credentials', () => {
  it('are write-only: stored sealed, never returned, never in storage or the index in clear', async () => {
    const merchant = await createMerchant();
    const secret = credentials();
    const configured = await call<Merchant>(`/v1/merchant/channels/sandbox`, {
      key: merchant.secret_key,
      body: { enabled: true, credentials: secret },
    });
    expect(configured.status).toBe(200);
    expect(configured.body.channels).toEqual([
      { channel: 'sandbox', enabled: true, credentials: { test: { updated_at: expect.any(Number) }, live: null } },
    ]);
    const everything = [
      JSON.stringify(configured.body),
      JSON.stringify((await call(`/v1/merchant`, { key: merchant.secret_key })).body),
      JSON.stringify((await call(`/v1/admin/merchants/${merchant.id}`, { key: env.TILL_ADMIN_KEY })).body),
      JSON.stringify(await env.DB.prepare('SELECT * FROM merchants WHERE id = ?').bind(merchant.id).all()),
      await storageDump(merchant.id),
    ].join('\n');
    expect(everything).not.toContain(secret.secret_key);
    expect(everything).not.toContain(secret.account_id);
    // Nor are the merchant's own secrets kept in clear.
    expect(everything).not.toContain(merchant.webhook_secret);
    expect(everything).not.toContain(merchant.request_signing_secret);
    expect(everything).not.toContain(merchant.secret_key);
    // The channel adapter, and only it, gets them back.
    expect(await merchantStub(merchant.id).channelCredentials('sandbox', 'test')).toEqual({ ok: true, value: secret });
  });

  it('are checked by the channel’s own schema, and errors do not echo them', async () => {
    const merchant = await createMerchant();
    const bad = await call<ErrorEnvelope>(`/v1/merchant/channels/sandbox`, {
      key: merchant.secret_key,
      body: { enabled: true, credentials: { account_id: 'acct_12345678', secret_key: 'sk_live_leaked_value' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('credentials.secret_key');
    expect(JSON.stringify(bad.body)).not.toContain('sk_live_leaked_value');
    const unknown = await call<ErrorEnvelope>(`/v1/merchant/channels/paypal`, {
      key: merchant.secret_key,
      body: { enabled: true },
    });
    expect(unknown.body.error.code).toBe('channel_not_available');
  });

  it('move to a new master key with the re-encrypt command, and still open afterwards', async () => {
    const merchant = await createMerchant();
    const secret = credentials();
    // Sealed under the previous master key, as a merchant configured before the rotation would be.
    const previous = await Vault.fromEnv({ TILL_MASTER_KEY: env.TILL_PREVIOUS_MASTER_KEYS });
    const sealedBefore = await previous.seal(JSON.stringify(secret), `merchant:${merchant.id}:channel:sandbox`);
    await runInDurableObject(merchantStub(merchant.id), (_instance: MerchantObject, state) => {
      state.storage.sql.exec(
        "INSERT INTO channel_credentials (channel, mode, sealed, updated_at) VALUES ('sandbox', 'test', ?, 0)",
        sealedBefore,
      );
    });
    expect(await merchantStub(merchant.id).channelCredentials('sandbox', 'test')).toEqual({ ok: true, value: secret });

    const first = await call<{ reencrypted: number; key_id: string }>(`/v1/admin/merchants/${merchant.id}/reencrypt`, {
      key: env.TILL_ADMIN_KEY,
      method: 'POST',
    });
    expect(first.body).toMatchObject({ object: 'reencryption', reencrypted: 1, key_id: 'test2' });
    const second = await call<{ reencrypted: number }>(`/v1/admin/merchants/${merchant.id}/reencrypt`, {
      key: env.TILL_ADMIN_KEY,
      method: 'POST',
    });
    expect(second.body.reencrypted).toBe(0);
    const sealedAfter = await runInDurableObject(
      merchantStub(merchant.id),
      (_instance: MerchantObject, state) =>
        state.storage.sql
          .exec<{ sealed: string }>(
            "SELECT sealed FROM channel_credentials WHERE channel = 'sandbox' AND mode = 'test'",
          )
          .one().sealed,
    );
    expect(Vault.keyIdOf(sealedAfter)).toBe('test2');
    expect(await merchantStub(merchant.id).channelCredentials('sandbox', 'test')).toEqual({ ok: true, value: secret });
  });

  it('are kept per mode: a test key sets test credentials only, a live key live ones, each sealed apart', async () => {
    const merchant = await createMerchant();
    await call(`/v1/admin/merchants/${merchant.id}`, { key: env.TILL_ADMIN_KEY, body: { live_enabled: true } });
    const test = credentials();
    const live = credentials();
    await call(`/v1/merchant/channels/sandbox`, {
      key: merchant.secret_key,
      body: { enabled: true, credentials: test },
    });
    const crossing = await call<ErrorEnvelope>(`/v1/merchant/channels/sandbox`, {
      key: merchant.secret_key,
      body: { enabled: true, mode: 'live', credentials: live },
    });
    expect(crossing.status).toBe(400);
    expect(crossing.body.error).toMatchObject({ code: 'invalid_parameter', param: 'mode' });
    const configured = await call<Merchant>(`/v1/merchant/channels/sandbox`, {
      key: merchant.live_secret_key,
      body: { enabled: true, credentials: live },
    });
    expect(configured.body.channels[0]!.credentials).toEqual({
      test: { updated_at: expect.any(Number) },
      live: { updated_at: expect.any(Number) },
    });
    expect(await merchantStub(merchant.id).channelCredentials('sandbox', 'test')).toEqual({ ok: true, value: test });
    expect(await merchantStub(merchant.id).channelCredentials('sandbox', 'live')).toEqual({ ok: true, value: live });
    // With live on, a test key still sets test credentials, but cannot switch a channel off for both modes.
    expect(
      (
        await call(`/v1/merchant/channels/sandbox`, {
          key: merchant.secret_key,
          body: { enabled: true, credentials: credentials() },
        })
      ).status,
    ).toBe(200);
    const off = await call<ErrorEnvelope>(`/v1/merchant/channels/sandbox`, {
      key: merchant.secret_key,
      body: { enabled: false },
    });
    expect(off.body.error?.code).toBe('forbidden');
  });

  it('do not open in another merchant’s row', async () => {
    const [a, b] = await Promise.all([createMerchant(), createMerchant()]);
    await call(`/v1/merchant/channels/sandbox`, {
      key: a.secret_key,
      body: { enabled: true, credentials: credentials() },
    });
    const stolen = await runInDurableObject(
      merchantStub(a.id),
      (_instance: MerchantObject, state) =>
        state.storage.sql
          .exec<{ sealed: string }>(
            "SELECT sealed FROM channel_credentials WHERE channel = 'sandbox' AND mode = 'test'",
          )
          .one().sealed,
    );
    await runInDurableObject(merchantStub(b.id), (_instance: MerchantObject, state) => {
      state.storage.sql.exec(
        "INSERT INTO channel_credentials (channel, mode, sealed, updated_at) VALUES ('sandbox', 'test', ?, 0)",
        stolen,
      );
    });
    expect(await merchantStub(b.id).channelCredentials('sandbox', 'test')).toMatchObject({
      ok: false,
      error: { code: 'internal_error' },
    });
  });

  it('a mode cannot use are refused when saved: a Stripe key of the other mode, Adyen live unprefixed', async () => {
    const merchant = await createMerchant();
    await call(`/v1/admin/merchants/${merchant.id}`, { key: env.TILL_ADMIN_KEY, body: { live_enabled: true } });
    const stripe = (key: string, secretKey: string) =>
      call<Merchant & ErrorEnvelope>('/v1/merchant/channels/stripe', {
        key,
        body: { enabled: true, credentials: { secret_key: secretKey, webhook_secret: `whsec_${'w'.repeat(32)}` } },
      });
    const testKey = `sk_test_${'a'.repeat(24)}`;
    const liveKey = `rk_live_${'b'.repeat(24)}`;
    const crossed = await stripe(merchant.live_secret_key, testKey);
    expect([crossed.status, crossed.body.error]).toEqual([
      400,
      expect.objectContaining({
        code: 'invalid_parameter',
        param: 'credentials.secret_key',
        message: 'Invalid credentials.secret_key: is a test mode key; live mode needs a live key',
      }),
    ]);
    expect(JSON.stringify(crossed.body)).not.toContain(testKey);
    expect((await stripe(merchant.secret_key, liveKey)).body.error?.param).toBe('credentials.secret_key');
    expect((await stripe(merchant.live_secret_key, liveKey)).status).toBe(200);

    const adyen = { api_key: `AQE${'k'.repeat(40)}`, merchant_account: 'ShopECOM', hmac_key: 'A'.repeat(64) };
    const adyenLive = (credentials: Record<string, string>) =>
      call<Merchant & ErrorEnvelope>('/v1/merchant/channels/adyen', {
        key: merchant.live_secret_key,
        body: { enabled: true, credentials },
      });
    expect((await adyenLive(adyen)).body.error).toMatchObject({ param: 'credentials.live_url_prefix' });
    expect((await adyenLive({ ...adyen, live_url_prefix: '1797a841fbb37ca7-AdyenDemo' })).status).toBe(200);
  });
});
