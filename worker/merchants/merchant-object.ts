/**
 * One Durable Object per merchant, its single writer: configuration, hashed API keys, sealed
 * secrets and channel credentials, and the nonces of signed requests.
 */
import { DurableObject } from 'cloudflare:workers';
import { TillError } from '../../shared/errors.ts';
import {
  parseRequestSignature,
  RequestSignatureError,
  verifyRequestSignature,
  REQUEST_SIGNATURE_TOLERANCE_SECONDS,
  type RequestToSign,
} from '../../shared/request-signature.ts';
import type {
  AdminUpdateMerchant,
  ApiKey,
  ApiKeyKind,
  CreatedApiKey,
  CreateMerchantRequest,
  Merchant,
  MerchantLimits,
  MerchantWithKeys,
  Mode,
} from '../../shared/schemas.ts';
import type { Env } from '../env.ts';
import { asResult, type Result } from '../result.ts';
import { migrate } from '../storage/sql-migrations.ts';
import { hashApiKey, keyPrefix, newApiKey, newKeyId, newRequestSigningSecret, newWebhookSecret } from './api-keys.ts';
import { writeMerchantToIndex } from './merchant-index.ts';
import {
  allowedOrigins,
  apiKeyView,
  MERCHANT_MIGRATIONS,
  merchantLimits,
  merchantView,
  sealContext,
  signingPublicKeys,
  type ApiKeyRow,
  type ChannelRow,
  type MerchantRow,
} from './merchant-store.ts';
import { Vault, VaultError } from './vault.ts';

/** What a request authenticated by one of the merchant's keys may know about its merchant. */
export interface MerchantPrincipal {
  id: string;
  name: string;
  mode: Mode;
  role: ApiKeyKind;
  keyId: string;
  /** The enabled channels. */
  channels: string[];
  allowedOrigins: string[];
  requireSignedRequests: boolean;
  limits: MerchantLimits;
  /** When a rolled key stops working (unix seconds), or null. */
  keyExpiresAt: number | null;
}

export type AuthenticationResult =
  | { ok: true; principal: MerchantPrincipal }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'merchant_disabled' | 'live_not_enabled' };

const now = (): number => Math.floor(Date.now() / 1000);

/**
 * Webhook endpoint, origins, signing keys and channel credentials serve both modes: once live is
 * on, a test key (handed to staging, a contractor, CI) must not redirect live money or events.
 * Checked here, in the transaction, not on a principal cached for 30 s.
 */
function assertMayChangeSharedSettings(row: MerchantRow, caller: Mode | 'admin'): void {
  if (caller === 'test' && row.live_enabled === 1) {
    throw new TillError('forbidden', 'Live mode is on: change settings shared with live mode with a live secret key (sk_live_…)');
  }
}

const SIGNATURE_ERRORS: Record<RequestSignatureError['reason'], TillError['code']> = {
  missing_signature: 'missing_signature',
  malformed_signature: 'invalid_signature',
  timestamp_outside_window: 'signature_outside_window',
  no_signing_key: 'invalid_signature',
  bad_signature: 'invalid_signature',
  nonce_replayed: 'nonce_replayed',
};

export class MerchantObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private vaultPromise: Promise<Vault> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(ctx.storage, MERCHANT_MIGRATIONS);
    void ctx.blockConcurrencyWhile(() => this.sealLegacySecrets());
  }

  private vault(): Promise<Vault> {
    this.vaultPromise ??= Vault.fromEnv(this.env);
    return this.vaultPromise;
  }

  /** Merchants created before secrets were sealed kept their webhook secret in clear. */
  private async sealLegacySecrets(): Promise<void> {
    const row = this.findRow();
    if (!row || row.webhook_secret === '') return;
    const sealed = await (await this.vault()).seal(row.webhook_secret, sealContext.webhookSecret(row.id));
    this.sql.exec("UPDATE merchant SET webhook_secret_sealed = ?, webhook_secret = ''", sealed);
  }

  private findRow(): MerchantRow | undefined {
    return this.sql.exec<MerchantRow>('SELECT * FROM merchant').toArray()[0];
  }

  private row(): MerchantRow {
    const row = this.findRow();
    if (!row) throw new TillError('merchant_not_found', 'No such merchant');
    return row;
  }

  private channelRows(): ChannelRow[] {
    return this.sql.exec<ChannelRow>('SELECT * FROM channels ORDER BY channel').toArray();
  }

  private view(): Merchant {
    return merchantView(this.row(), this.channelRows());
  }

  /** Every change bumps the version; the index copy follows (retried by the alarm until written). */
  private touch(): void {
    this.sql.exec('UPDATE merchant SET version = version + 1');
  }

  private async syncIndex(): Promise<void> {
    const row = this.findRow();
    if (!row || row.version <= row.indexed_version) return;
    if (await writeMerchantToIndex(this.env.DB, merchantView(row, this.channelRows()), row.version)) {
      this.sql.exec('UPDATE merchant SET indexed_version = MAX(indexed_version, ?)', row.version);
    } else {
      await this.ctx.storage.setAlarm(Date.now() + 30_000);
    }
  }

  override async alarm(): Promise<void> {
    await this.syncIndex();
  }

  private insertKey(key: string, hash: string, kind: ApiKeyKind, mode: Mode): ApiKeyRow {
    const row: ApiKeyRow = { id: newKeyId(), hash, kind, mode, prefix: keyPrefix(key), created_at: now(), expires_at: null, revoked_at: null };
    this.sql.exec(
      'INSERT INTO api_keys (id, hash, kind, mode, prefix, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      row.id,
      row.hash,
      row.kind,
      row.mode,
      row.prefix,
      row.created_at,
    );
    return row;
  }

  async create(id: string, request: CreateMerchantRequest): Promise<Result<MerchantWithKeys>> {
    const vault = await this.vault();
    const kinds: Array<[ApiKeyKind, Mode]> = [
      ['secret', 'test'],
      ['publishable', 'test'],
      ['secret', 'live'],
      ['publishable', 'live'],
    ];
    const keys = kinds.map(([kind, mode]) => newApiKey(kind, mode, id));
    const hashes = await Promise.all(keys.map(hashApiKey));
    const webhookSecret = newWebhookSecret();
    const signingSecret = newRequestSigningSecret();
    const [webhookSealed, signingSealed] = await Promise.all([
      vault.seal(webhookSecret, sealContext.webhookSecret(id)),
      vault.seal(signingSecret, sealContext.signingSecret(id)),
    ]);
    const result = await asResult(() => {
      this.ctx.storage.transactionSync(() => {
        if (this.findRow()) {
          throw new TillError(
            'merchant_already_created',
            `This Idempotency-Key already created merchant ${id}; its keys were shown once: issue new ones with POST /v1/admin/merchants/${id}/keys`,
          );
        }
        this.sql.exec(
          `INSERT INTO merchant (id, name, webhook_url, webhook_secret, webhook_secret_sealed, signing_secret_sealed,
             created_at, allowed_origins, limits, require_signed_requests)
           VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?)`,
          id,
          request.name,
          request.webhook_url ?? null,
          webhookSealed,
          signingSealed,
          now(),
          JSON.stringify(request.allowed_origins ?? []),
          JSON.stringify(request.limits ?? { max_order_amount: {} }),
          request.require_signed_requests ? 1 : 0,
        );
        for (const channel of request.channels) this.sql.exec('INSERT INTO channels (channel, enabled) VALUES (?, 1)', channel);
        kinds.forEach(([kind, mode], i) => this.insertKey(keys[i] as string, hashes[i] as string, kind, mode));
      });
      return {
        ...this.view(),
        secret_key: keys[0] as string,
        publishable_key: keys[1] as string,
        live_secret_key: keys[2] as string,
        live_publishable_key: keys[3] as string,
        webhook_secret: webhookSecret,
        request_signing_secret: signingSecret,
      };
    });
    await this.syncIndex();
    return result;
  }

  async retrieve(): Promise<Result<Merchant>> {
    return asResult(() => this.view());
  }

  async update(patch: AdminUpdateMerchant, caller: Mode | 'admin'): Promise<Result<Merchant>> {
    const result = await asResult(() => {
      this.ctx.storage.transactionSync(() => {
        assertMayChangeSharedSettings(this.row(), caller);
        const columns: Array<[string, SqlStorageValue]> = [];
        if (patch.name !== undefined) columns.push(['name', patch.name]);
        if (patch.webhook_url !== undefined) columns.push(['webhook_url', patch.webhook_url]);
        if (patch.allowed_origins !== undefined) columns.push(['allowed_origins', JSON.stringify(patch.allowed_origins)]);
        if (patch.limits !== undefined) columns.push(['limits', JSON.stringify(patch.limits)]);
        if (patch.signing_public_keys !== undefined) columns.push(['signing_public_keys', JSON.stringify(patch.signing_public_keys)]);
        if (patch.require_signed_requests !== undefined) columns.push(['require_signed_requests', patch.require_signed_requests ? 1 : 0]);
        if (patch.live_enabled !== undefined) columns.push(['live_enabled', patch.live_enabled ? 1 : 0]);
        if (patch.disabled !== undefined) columns.push(['disabled', patch.disabled ? 1 : 0]);
        for (const [column, value] of columns) this.sql.exec(`UPDATE merchant SET ${column} = ?`, value);
        this.touch();
      });
      return this.view();
    });
    await this.syncIndex();
    return result;
  }

  /** Enables or disables a channel; credentials (already checked by the channel's schema) are sealed. */
  async configureChannel(
    caller: Mode | 'admin',
    channel: string,
    enabled: boolean,
    credentials?: Record<string, unknown>,
  ): Promise<Result<Merchant>> {
    const merchant = this.findRow();
    const sealed =
      merchant && credentials ? await (await this.vault()).seal(JSON.stringify(credentials), sealContext.channel(merchant.id, channel)) : null;
    const result = await asResult(() => {
      this.ctx.storage.transactionSync(() => {
        assertMayChangeSharedSettings(this.row(), caller);
        this.sql.exec(
          `INSERT INTO channels (channel, enabled, credentials_sealed, credentials_updated_at) VALUES (?1, ?2, ?3, ?4)
           ON CONFLICT (channel) DO UPDATE SET enabled = ?2,
             credentials_sealed = COALESCE(?3, credentials_sealed), credentials_updated_at = COALESCE(?4, credentials_updated_at)`,
          channel,
          enabled ? 1 : 0,
          sealed,
          sealed ? now() : null,
        );
        this.touch();
      });
      return this.view();
    });
    await this.syncIndex();
    return result;
  }

  /** A channel's credentials in clear, for the channel adapter only; never returned by the API. */
  async channelCredentials(channel: string): Promise<Result<Record<string, unknown> | null>> {
    const row = this.findRow();
    const sealed = this.sql.exec<ChannelRow>('SELECT * FROM channels WHERE channel = ?', channel).toArray()[0]?.credentials_sealed;
    if (!row || !sealed) return { ok: true, value: null };
    try {
      return { ok: true, value: JSON.parse(await (await this.vault()).open(sealed, sealContext.channel(row.id, channel))) as Record<string, unknown> };
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      console.error('channel credentials do not open', { merchant: row.id, channel, reason: error.message });
      return { ok: false, error: { code: 'internal_error', message: `The ${channel} credentials cannot be opened: enter them again` } };
    }
  }

  // ---- keys ----------------------------------------------------------------------------

  /** Looks up a key by its hash and says exactly why it is refused. */
  async authenticate(keyHash: string): Promise<AuthenticationResult> {
    const row = this.findRow();
    const key = this.sql.exec<ApiKeyRow>('SELECT * FROM api_keys WHERE hash = ?', keyHash).toArray()[0];
    if (!row || !key) return { ok: false, reason: 'unknown' };
    if (key.revoked_at !== null) return { ok: false, reason: 'revoked' };
    if (key.expires_at !== null && key.expires_at <= now()) return { ok: false, reason: 'expired' };
    if (row.disabled) return { ok: false, reason: 'merchant_disabled' };
    if (key.mode === 'live' && !row.live_enabled) return { ok: false, reason: 'live_not_enabled' };
    return {
      ok: true,
      principal: {
        id: row.id,
        name: row.name,
        mode: key.mode,
        role: key.kind,
        keyId: key.id,
        channels: this.channelRows()
          .filter((channel) => channel.enabled === 1)
          .map((channel) => channel.channel),
        allowedOrigins: allowedOrigins(row),
        requireSignedRequests: row.require_signed_requests === 1,
        limits: merchantLimits(row),
        keyExpiresAt: key.expires_at,
      },
    };
  }

  /** The keys of one mode: a key never sees or touches the other mode's keys. */
  async listKeys(mode: Mode): Promise<Result<ApiKey[]>> {
    return asResult(() => {
      this.row();
      return this.sql.exec<ApiKeyRow>('SELECT * FROM api_keys WHERE mode = ? ORDER BY created_at DESC, id', mode).toArray().map(apiKeyView);
    });
  }

  async createKey(kind: ApiKeyKind, mode: Mode): Promise<Result<CreatedApiKey>> {
    const id = this.findRow()?.id ?? '';
    const secret = newApiKey(kind, mode, id);
    const hash = await hashApiKey(secret);
    return asResult(() => {
      this.row();
      return { ...apiKeyView(this.insertKey(secret, hash, kind, mode)), secret };
    });
  }

  private keyOfMode(keyId: string, mode: Mode): ApiKeyRow {
    const key = this.sql.exec<ApiKeyRow>('SELECT * FROM api_keys WHERE id = ? AND mode = ?', keyId, mode).toArray()[0];
    if (!key) throw new TillError('api_key_not_found', `No such ${mode} API key`, 'id');
    return key;
  }

  /** Issues a replacement key; the old one keeps working for `expiresIn` seconds, then is refused. */
  async rollKey(mode: Mode, keyId: string, expiresIn: number): Promise<Result<CreatedApiKey>> {
    const old = this.sql.exec<ApiKeyRow>('SELECT * FROM api_keys WHERE id = ? AND mode = ?', keyId, mode).toArray()[0];
    const secret = old ? newApiKey(old.kind, old.mode, this.row().id) : '';
    const hash = await hashApiKey(secret);
    return asResult(() =>
      this.ctx.storage.transactionSync(() => {
        const current = this.keyOfMode(keyId, mode);
        if (current.revoked_at !== null || (current.expires_at !== null && current.expires_at <= now())) {
          throw new TillError('api_key_not_active', 'This API key is already revoked or expired: create a new one instead');
        }
        if (current.expires_at !== null) {
          throw new TillError('api_key_not_active', 'This API key was already rolled: roll its replacement instead');
        }
        if (expiresIn === 0) this.sql.exec('UPDATE api_keys SET revoked_at = ? WHERE id = ?', now(), keyId);
        else this.sql.exec('UPDATE api_keys SET expires_at = ? WHERE id = ?', now() + expiresIn, keyId);
        return { ...apiKeyView(this.insertKey(secret, hash, current.kind, current.mode)), secret };
      }),
    );
  }

  async revokeKey(mode: Mode, keyId: string): Promise<Result<ApiKey>> {
    return asResult(() =>
      this.ctx.storage.transactionSync(() => {
        const key = this.keyOfMode(keyId, mode);
        if (key.revoked_at === null) this.sql.exec('UPDATE api_keys SET revoked_at = ? WHERE id = ?', now(), keyId);
        return apiKeyView(this.keyOfMode(keyId, mode));
      }),
    );
  }

  // ---- signed requests -----------------------------------------------------------------

  /**
   * Checks a signed request: window, signature (HMAC with the sealed secret or a registered
   * Ed25519 key), then the nonce, remembered for twice the window so it is never accepted twice.
   */
  async checkRequestSignature(header: string | null, request: RequestToSign): Promise<Result<{ key: string }>> {
    return asResult(async () => {
      const row = this.row();
      try {
        const parsed = parseRequestSignature(header);
        const hmacSecrets =
          parsed.hmac.length > 0 && row.signing_secret_sealed
            ? [await (await this.vault()).open(row.signing_secret_sealed, sealContext.signingSecret(row.id))]
            : [];
        const key = await verifyRequestSignature(parsed, request, { hmacSecrets, publicKeys: signingPublicKeys(row) });
        this.ctx.storage.transactionSync(() => {
          this.sql.exec('DELETE FROM nonces WHERE expires_at < ?', now());
          if (this.sql.exec('SELECT 1 FROM nonces WHERE nonce = ?', parsed.nonce).toArray().length > 0) {
            throw new RequestSignatureError('nonce_replayed', 'This nonce was already used: sign every request with a fresh nonce');
          }
          const forgetAt = parsed.timestamp + 2 * REQUEST_SIGNATURE_TOLERANCE_SECONDS;
          this.sql.exec('INSERT INTO nonces (nonce, expires_at) VALUES (?, ?)', parsed.nonce, forgetAt);
        });
        return { key };
      } catch (error) {
        if (error instanceof RequestSignatureError) throw new TillError(SIGNATURE_ERRORS[error.reason], error.message);
        throw error;
      }
    });
  }

  async rollSigningSecret(caller: Mode | 'admin'): Promise<Result<{ object: 'signing_secret'; secret: string }>> {
    const row = this.findRow();
    const secret = newRequestSigningSecret();
    const sealed = row ? await (await this.vault()).seal(secret, sealContext.signingSecret(row.id)) : '';
    return asResult(() => {
      assertMayChangeSharedSettings(this.row(), caller);
      this.sql.exec('UPDATE merchant SET signing_secret_sealed = ?', sealed);
      return { object: 'signing_secret' as const, secret };
    });
  }

  /** Re-seals every secret under the current master key; returns how many were re-sealed. */
  async reencrypt(): Promise<Result<{ reencrypted: number; key_id: string }>> {
    const vault = await this.vault();
    const row = this.findRow();
    if (!row) return { ok: false, error: { code: 'merchant_not_found', message: 'No such merchant' } };
    // Each sealed value as read, with where it lives and its replacement.
    const plan: Array<{ sql: string; key: SqlStorageValue[]; before: string; after: string }> = [];
    const add = async (sql: string, key: SqlStorageValue[], before: string | null, context: string) => {
      if (!before) return;
      const after = await vault.reseal(before, context);
      if (after !== before) plan.push({ sql, key, before, after });
    };
    await add('UPDATE merchant SET webhook_secret_sealed = ?1 WHERE webhook_secret_sealed = ?2', [], row.webhook_secret_sealed, sealContext.webhookSecret(row.id));
    await add('UPDATE merchant SET signing_secret_sealed = ?1 WHERE signing_secret_sealed = ?2', [], row.signing_secret_sealed, sealContext.signingSecret(row.id));
    for (const channel of this.channelRows()) {
      const sql = 'UPDATE channels SET credentials_sealed = ?1 WHERE credentials_sealed = ?2 AND channel = ?3';
      await add(sql, [channel.channel], channel.credentials_sealed, sealContext.channel(row.id, channel.channel));
    }
    // A value changed while we were sealing (new credentials, a rolled secret) is newer: it wins.
    const written = this.ctx.storage.transactionSync(() =>
      plan.reduce((count, step) => count + this.sql.exec(`${step.sql} RETURNING 1`, step.after, step.before, ...step.key).toArray().length, 0),
    );
    return { ok: true, value: { reencrypted: written, key_id: vault.currentKeyId } };
  }

  /** A no-op round trip: the baseline the benchmark compares order calls with. */
  ping(): string {
    return 'pong';
  }

  async webhookTarget(): Promise<{ url: string; secret: string } | null> {
    const row = this.findRow();
    if (!row?.webhook_url || !row.webhook_secret_sealed) return null;
    return { url: row.webhook_url, secret: await (await this.vault()).open(row.webhook_secret_sealed, sealContext.webhookSecret(row.id)) };
  }
}
