import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { Vault } from '../../worker/base/vault.ts';
import { hashApiKey } from '../../worker/merchants/api-keys.ts';
import { MerchantObject } from '../../worker/merchants/merchant-object.ts';
import { MERCHANT_MIGRATIONS } from '../../worker/merchants/merchant-store.ts';
import { createMerchant } from './helpers.ts';

describe('merchant storage migrations', () => {
  it('brings a merchant stored by the walking skeleton up to date, sealing its clear-text webhook secret', async () => {
    const id = 'mer_LegacyLegacy0001';
    const key = 'sk_test_LegacyLegacy0001_0123456789abcdefghijABCDEFGHIJkl';
    const keyHash = await hashApiKey(key);
    const stub = env.MERCHANTS.get(env.MERCHANTS.idFromName(id));
    const migrated = await runInDurableObject(stub, async (_instance: MerchantObject, state) => {
      const sql = state.storage.sql;
      // Rewind to the skeleton's layout and data (schema version 1).
      for (const table of [
        'merchant',
        'api_keys',
        'channels',
        'channel_credentials',
        'nonces',
        'webhook_endpoints',
        '_schema_version',
      ])
        sql.exec(`DROP TABLE IF EXISTS ${table}`);
      sql.exec(`CREATE TABLE merchant (id TEXT PRIMARY KEY, name TEXT NOT NULL, mode TEXT NOT NULL,
        webhook_url TEXT, webhook_secret TEXT NOT NULL, channels TEXT NOT NULL, created_at INTEGER NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0)`);
      sql.exec(`CREATE TABLE api_keys (hash TEXT PRIMARY KEY, kind TEXT NOT NULL, mode TEXT NOT NULL,
        prefix TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER)`);
      sql.exec('CREATE TABLE _schema_version (version INTEGER NOT NULL)');
      sql.exec('INSERT INTO _schema_version VALUES (1)');
      sql.exec(
        "INSERT INTO merchant VALUES (?, 'Old shop', 'test', 'https://old.example/hook', " +
          "'whsec_legacylegacylegacy', '[\"sandbox\"]', 1700000000, 0)",
        id,
      );
      sql.exec("INSERT INTO api_keys VALUES (?, 'secret', 'test', 'sk_test_Leg…', 1700000000, NULL)", keyHash);

      const object = new MerchantObject(state, env);
      await state.blockConcurrencyWhile(async () => {});
      const dump = JSON.stringify(sql.exec('SELECT * FROM merchant').toArray());
      return {
        version: sql.exec<{ version: number }>('SELECT version FROM _schema_version').one().version,
        clearSecretLeft: dump.includes('whsec_legacylegacylegacy'),
        auth: await object.authenticate(keyHash),
        target: await object.webhookTarget(),
        merchant: await object.retrieve(),
        endpoints: await object.listWebhookEndpoints('live'),
      };
    });
    expect(migrated.version).toBe(MERCHANT_MIGRATIONS.length);
    expect(migrated.clearSecretLeft).toBe(false);
    expect(migrated.target).toEqual({ url: 'https://old.example/hook', secret: 'whsec_legacylegacylegacy' });
    // Its webhook URL became the primary endpoint, serving both modes.
    expect(migrated.endpoints).toMatchObject({
      ok: true,
      value: [{ primary: true, mode: null, url: 'https://old.example/hook', status: 'enabled' }],
    });
    expect(migrated.auth).toMatchObject({
      ok: true,
      principal: { id, mode: 'test', role: 'secret', channels: ['sandbox'] },
    });
    expect(migrated.merchant).toMatchObject({
      ok: true,
      value: {
        name: 'Old shop',
        live_enabled: false,
        channels: [{ channel: 'sandbox', enabled: true, credentials: { test: null, live: null } }],
      },
    });
  });

  it('keeps credentials set before they were per mode as the test mode’s, still opening', async () => {
    const merchant = await createMerchant();
    const credentials = { account_id: 'acct_Legacy0001', secret_key: 'sbx_sk_0123456789abcdef0123' };
    const sealed = await (await Vault.fromEnv(env)).seal(
      JSON.stringify(credentials),
      `merchant:${merchant.id}:channel:sandbox`,
    );
    const stub = env.MERCHANTS.get(env.MERCHANTS.idFromName(merchant.id));
    const migrated = await runInDurableObject(stub, async (_instance: MerchantObject, state) => {
      const sql = state.storage.sql;
      // Rewind to layout 4: credentials on the channel row, serving both modes (and no card routing yet).
      sql.exec('ALTER TABLE merchant DROP COLUMN card_routing');
      sql.exec('DROP TABLE channel_credentials');
      sql.exec('ALTER TABLE channels ADD COLUMN credentials_sealed TEXT');
      sql.exec('ALTER TABLE channels ADD COLUMN credentials_updated_at INTEGER');
      sql.exec(
        "UPDATE channels SET credentials_sealed = ?, credentials_updated_at = 1700000000 WHERE channel = 'sandbox'",
        sealed,
      );
      sql.exec('UPDATE _schema_version SET version = 4');
      const object = new MerchantObject(state, env);
      return {
        test: await object.channelCredentials('sandbox', 'test'),
        live: await object.channelCredentials('sandbox', 'live'),
        view: await object.retrieve(),
      };
    });
    expect(migrated.test).toEqual({ ok: true, value: credentials });
    expect(migrated.live).toEqual({ ok: true, value: null });
    expect(migrated.view).toMatchObject({
      ok: true,
      value: { channels: [{ channel: 'sandbox', credentials: { test: { updated_at: 1700000000 }, live: null } }] },
    });
  });
});
