/**
 * One Durable Object per merchant, its single writer: configuration, hashed API keys, sealed
 * secrets and channel credentials, and the nonces of signed requests.
 */
import { DurableObject } from 'cloudflare:workers';
import { TillError } from '../../shared/errors.ts';
import type { RequestToSign } from '../../shared/request-signature.ts';
import type {
  AdminUpdateMerchant,
  ApiKey,
  ApiKeyKind,
  CreatedApiKey,
  CreateMerchantRequest,
  CreateWebhookEndpointRequest,
  DeletedWebhookEndpoint,
  Merchant,
  MerchantWithKeys,
  Mode,
  UpdateWebhookEndpointRequest,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from '../../shared/schemas.ts';
import { now, nowMs } from '../base/clock.ts';
import type { Env } from '../base/env.ts';
import { asResult, type Failed, type Result } from '../base/result.ts';
import { migrate } from '../base/sql-migrations.ts';
import { Vault, VaultError } from '../base/vault.ts';
import { hashApiKey, newApiKey, newRequestSigningSecret, newWebhookSecret } from './api-keys.ts';
import { KeyLedger, type NewKey } from './key-ledger.ts';
import { writeMerchantToIndex } from './merchant-index.ts';
import { type AuthenticationResult, authenticationOf } from './merchant-principal.ts';
import {
  CHANNELS_SQL,
  type ChannelCredentialsRow,
  type ChannelRow,
  MERCHANT_MIGRATIONS,
  type MerchantRow,
  merchantView,
  sealContext,
} from './merchant-store.ts';
import { checkSignedRequest } from './request-check.ts';
import { resealMerchant } from './reseal.ts';
import {
  insertPrimaryEndpoint,
  type WebhookDestination,
  WebhookEndpoints,
  type WebhookHealthReport,
} from './webhook-endpoints.ts';

/** A merchant's standing and one channel's credentials, as order objects need them before a channel call. */
export interface ChannelAccess {
  /** Disabled by the operator: no new payments (docs/decisions.md). */
  disabled: boolean;
  credentials: Record<string, unknown> | null;
  /** Why the stored credentials could not be opened, if they could not. */
  problem: Failed['error'] | null;
}

/**
 * Webhook endpoint, origins, signing keys and enabled channels serve both modes: once live is
 * on, a test key (handed to staging, a contractor, CI) must not redirect live money or events.
 * Checked here, in the transaction, not on a principal cached for 30 s.
 */
function assertMayChangeSharedSettings(row: MerchantRow, caller: Mode | 'admin'): void {
  if (caller === 'test' && row.live_enabled === 1) {
    throw new TillError(
      'forbidden',
      'Live mode is on: change settings shared with live mode with a live secret key (sk_live_…)',
    );
  }
}

export class MerchantObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly keys: KeyLedger;
  private readonly endpoints: WebhookEndpoints;
  private vaultPromise: Promise<Vault> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(ctx.storage, MERCHANT_MIGRATIONS);
    this.keys = new KeyLedger(this.sql);
    this.endpoints = new WebhookEndpoints({
      storage: ctx.storage,
      vault: () => this.vault(),
      merchant: () => this.row(),
      assertMayChangeShared: (caller) => assertMayChangeSharedSettings(this.row(), caller),
    });
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
    return this.sql.exec<ChannelRow>(CHANNELS_SQL).toArray();
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
      await this.ctx.storage.setAlarm(nowMs() + 30_000);
    }
  }

  override async alarm(): Promise<void> {
    await this.syncIndex();
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
            `This Idempotency-Key already created merchant ${id}; its keys were shown once: ` +
              `issue new ones with POST /v1/admin/merchants/${id}/keys`,
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
        for (const channel of request.channels)
          this.sql.exec('INSERT INTO channels (channel, enabled) VALUES (?, 1)', channel);
        insertPrimaryEndpoint(this.sql, now());
        for (const [i, [kind, mode]] of kinds.entries())
          this.keys.insert({ secret: keys[i] as string, hash: hashes[i] as string }, kind, mode);
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
        if (patch.allowed_origins !== undefined)
          columns.push(['allowed_origins', JSON.stringify(patch.allowed_origins)]);
        if (patch.limits !== undefined) columns.push(['limits', JSON.stringify(patch.limits)]);
        if (patch.signing_public_keys !== undefined)
          columns.push(['signing_public_keys', JSON.stringify(patch.signing_public_keys)]);
        if (patch.require_signed_requests !== undefined)
          columns.push(['require_signed_requests', patch.require_signed_requests ? 1 : 0]);
        if (patch.live_enabled !== undefined) columns.push(['live_enabled', patch.live_enabled ? 1 : 0]);
        if (patch.disabled !== undefined) columns.push(['disabled', patch.disabled ? 1 : 0]);
        for (const [column, value] of columns) this.sql.exec(`UPDATE merchant SET ${column} = ?`, value);
        // A new webhook URL is a fresh start for its endpoint's health (and re-enables it).
        if (patch.webhook_url !== undefined) this.endpoints.resetPrimary();
        this.touch();
      });
      return this.view();
    });
    await this.syncIndex();
    return result;
  }

  /**
   * Enables or disables a channel (for both modes) and sets the credentials of one mode, already
   * checked by the channel's schema, sealed. With live on, a test key may set test credentials but
   * not switch a channel on or off.
   */
  async configureChannel(
    caller: Mode | 'admin',
    channel: string,
    enabled: boolean,
    credentials?: { mode: Mode; value: Record<string, unknown> },
  ): Promise<Result<Merchant>> {
    const merchant = this.findRow();
    const sealed =
      merchant && credentials
        ? await (await this.vault()).seal(
            JSON.stringify(credentials.value),
            sealContext.channel(merchant.id, channel, credentials.mode),
          )
        : null;
    const result = await asResult(() => {
      this.ctx.storage.transactionSync(() => {
        const current = this.channelRows().find((row) => row.channel === channel);
        // A channel without a row is off: adding it switched off (credentials only) changes nothing shared.
        if ((current?.enabled ?? 0) !== (enabled ? 1 : 0)) assertMayChangeSharedSettings(this.row(), caller);
        this.sql.exec(
          'INSERT INTO channels (channel, enabled) VALUES (?1, ?2) ON CONFLICT (channel) DO UPDATE SET enabled = ?2',
          channel,
          enabled ? 1 : 0,
        );
        if (credentials && sealed) {
          this.sql.exec(
            `INSERT INTO channel_credentials (channel, mode, sealed, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (channel, mode) DO UPDATE SET sealed = ?3, updated_at = ?4`,
            channel,
            credentials.mode,
            sealed,
            now(),
          );
        }
        this.touch();
      });
      return this.view();
    });
    await this.syncIndex();
    return result;
  }

  /** A channel's credentials for one mode in clear, for the channel adapter only; never returned by the API. */
  async channelCredentials(channel: string, mode: Mode): Promise<Result<Record<string, unknown> | null>> {
    const row = this.findRow();
    const sealed = this.sql
      .exec<ChannelCredentialsRow>('SELECT * FROM channel_credentials WHERE channel = ? AND mode = ?', channel, mode)
      .toArray()[0]?.sealed;
    if (!row || !sealed) return { ok: true, value: null };
    try {
      return {
        ok: true,
        value: JSON.parse(
          await (await this.vault()).open(sealed, sealContext.channel(row.id, channel, mode)),
        ) as Record<string, unknown>,
      };
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      console.error('channel credentials do not open', { merchant: row.id, channel, reason: error.message });
      return {
        ok: false,
        error: { code: 'internal_error', message: `The ${channel} credentials cannot be opened: enter them again` },
      };
    }
  }

  /**
   * For order objects, before a channel call: whether the merchant may take new payments, and
   * (`withCredentials`) the channel's credentials for one mode, opened. One round trip for both.
   */
  async channelAccess(channel: string, mode: Mode, withCredentials: boolean): Promise<Result<ChannelAccess>> {
    const disabled = this.findRow()?.disabled === 1;
    if (!withCredentials) return { ok: true, value: { disabled, credentials: null, problem: null } };
    const opened = await this.channelCredentials(channel, mode);
    return {
      ok: true,
      value: opened.ok
        ? { disabled, credentials: opened.value, problem: null }
        : { disabled, credentials: null, problem: opened.error },
    };
  }

  // ---- keys ----------------------------------------------------------------------------

  /** Looks up a key by its hash and says exactly why it is refused. */
  async authenticate(keyHash: string): Promise<AuthenticationResult> {
    return authenticationOf(this.findRow(), this.keys.byHash(keyHash), this.channelRows(), now());
  }

  /** The keys of one mode: a key never sees or touches the other mode's keys. */
  async listKeys(mode: Mode): Promise<Result<ApiKey[]>> {
    return asResult(() => {
      this.row();
      return this.keys.list(mode);
    });
  }

  private async newKey(kind: ApiKeyKind, mode: Mode): Promise<NewKey> {
    const secret = newApiKey(kind, mode, this.row().id);
    return { secret, hash: await hashApiKey(secret) };
  }

  async createKey(kind: ApiKeyKind, mode: Mode): Promise<Result<CreatedApiKey>> {
    return asResult(async () => {
      const key = await this.newKey(kind, mode);
      return this.keys.insert(key, kind, mode);
    });
  }

  /** Issues a replacement key; the old one keeps working for `expiresIn` seconds, then is refused. */
  async rollKey(mode: Mode, keyId: string, expiresIn: number): Promise<Result<CreatedApiKey>> {
    return asResult(async () => {
      const old = this.keys.find(keyId, mode);
      const replacement = old ? await this.newKey(old.kind, mode) : { secret: '', hash: '' };
      return this.ctx.storage.transactionSync(() => this.keys.roll(mode, keyId, expiresIn, replacement));
    });
  }

  async revokeKey(mode: Mode, keyId: string): Promise<Result<ApiKey>> {
    return asResult(() => this.ctx.storage.transactionSync(() => this.keys.revoke(mode, keyId)));
  }

  // ---- signed requests -----------------------------------------------------------------

  /**
   * Checks a signed request: window, signature (HMAC with the sealed secret or a registered
   * Ed25519 key), then the nonce, remembered for twice the window so it is never accepted twice.
   */
  async checkRequestSignature(header: string | null, request: RequestToSign): Promise<Result<{ key: string }>> {
    return asResult(async () => ({
      key: await checkSignedRequest(this.ctx.storage, () => this.vault(), this.row(), header, request),
    }));
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
    return asResult(async () => {
      const vault = await this.vault();
      const reencrypted = await resealMerchant(this.ctx.storage, vault, this.row());
      return { reencrypted, key_id: vault.currentKeyId };
    });
  }

  /** A no-op round trip: the baseline the benchmark compares order calls with. */
  ping(): string {
    return 'pong';
  }

  // ---- webhook endpoints (webhook-endpoints.ts) ------------------------------------------

  async listWebhookEndpoints(mode: Mode): Promise<Result<WebhookEndpoint[]>> {
    return asResult(() => this.endpoints.list(mode));
  }

  async retrieveWebhookEndpoint(mode: Mode, id: string): Promise<Result<WebhookEndpoint>> {
    return asResult(() => this.endpoints.retrieve(mode, id));
  }

  async createWebhookEndpoint(
    mode: Mode,
    request: CreateWebhookEndpointRequest,
  ): Promise<Result<WebhookEndpointWithSecret>> {
    return asResult(() => this.endpoints.create(mode, request));
  }

  async updateWebhookEndpoint(
    mode: Mode,
    id: string,
    patch: UpdateWebhookEndpointRequest,
  ): Promise<Result<WebhookEndpoint>> {
    return asResult(() => this.endpoints.update(mode, id, patch));
  }

  async deleteWebhookEndpoint(mode: Mode, id: string): Promise<Result<DeletedWebhookEndpoint>> {
    return asResult(() => this.endpoints.delete(mode, id));
  }

  async rollWebhookEndpointSecret(
    mode: Mode,
    id: string,
    expiresIn: number,
  ): Promise<Result<WebhookEndpointWithSecret>> {
    return asResult(() => this.endpoints.rollSecret(mode, id, expiresIn));
  }

  /** For order objects: where this mode's events go, secrets opened. Never returned by the API. */
  async webhookDestinations(mode: Mode): Promise<WebhookDestination[]> {
    return this.endpoints.destinations(mode);
  }

  /** Order objects report each alarm run's outcome per endpoint; answers the endpoints now disabled. */
  async reportWebhookHealth(reports: WebhookHealthReport[]): Promise<string[]> {
    return this.endpoints.report(reports);
  }

  async webhookTarget(): Promise<{ url: string; secret: string } | null> {
    const row = this.findRow();
    if (!row?.webhook_url || !row.webhook_secret_sealed) return null;
    return {
      url: row.webhook_url,
      secret: await (await this.vault()).open(row.webhook_secret_sealed, sealContext.webhookSecret(row.id)),
    };
  }
}
