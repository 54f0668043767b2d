/**
 * One Durable Object per merchant, its single writer: configuration, hashed API keys, sealed
 * secrets and channel credentials, and the nonces of signed requests. Its methods are its RPC;
 * each decides inside one `transactionSync` through the synchronous modules beside it
 * (merchant-settings.ts, key-ledger.ts, webhook-endpoints.ts), after the async work (hashing,
 * sealing) is done.
 */
import { DurableObject } from 'cloudflare:workers';
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
import { now } from '../base/clock.ts';
import type { Env } from '../base/env.ts';
import { asResult, type Result } from '../base/result.ts';
import { migrate } from '../base/sql-migrations.ts';
import { Vault } from '../base/vault.ts';
import { newRequestSigningSecret } from './api-keys.ts';
import { type ChannelAccess, channelAccess, openCredentials, sealCredentials } from './channel-credentials.ts';
import { KeyLedger, newKey } from './key-ledger.ts';
import { createdMerchant, insertMerchant, newMerchantSecrets } from './merchant-creation.ts';
import { syncMerchantIndex } from './merchant-index.ts';
import { type AuthenticationResult, authenticationOf } from './merchant-principal.ts';
import {
  assertMayChangeSharedSettings,
  bumpVersion,
  channelRows,
  configureChannel,
  findMerchant,
  merchantRow,
  readMerchant,
  setSigningSecret,
  updateSettings,
} from './merchant-settings.ts';
import { MERCHANT_MIGRATIONS, sealContext } from './merchant-store.ts';
import { checkSignedRequest } from './request-check.ts';
import { resealMerchant, sealLegacySecrets } from './reseal.ts';
import { primaryWebhookTarget, type WebhookDestination, webhookDestinations } from './webhook-destinations.ts';
import { reportWebhookHealth, resetPrimaryHealth, type WebhookHealthReport } from './webhook-endpoint-health.ts';
import type { WebhookEndpointsContext } from './webhook-endpoint-rows.ts';
import { WebhookEndpoints } from './webhook-endpoints.ts';

export class MerchantObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly keys: KeyLedger;
  private readonly endpointContext: WebhookEndpointsContext;
  private readonly endpoints: WebhookEndpoints;
  private vaultPromise: Promise<Vault> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage, MERCHANT_MIGRATIONS);
    this.sql = ctx.storage.sql;
    this.keys = new KeyLedger(this.sql);
    this.endpointContext = {
      storage: ctx.storage,
      vault: () => this.vault(),
      merchant: () => merchantRow(this.sql),
      assertMayChangeShared: (caller) => assertMayChangeSharedSettings(merchantRow(this.sql), caller),
    };
    this.endpoints = new WebhookEndpoints(this.endpointContext);
    void ctx.blockConcurrencyWhile(() => sealLegacySecrets(ctx.storage, () => this.vault(), findMerchant(this.sql)));
  }

  private vault(): Promise<Vault> {
    this.vaultPromise ??= Vault.fromEnv(this.env);
    return this.vaultPromise;
  }

  private syncIndex(): Promise<void> {
    return syncMerchantIndex(this.env.DB, this.ctx.storage, this.sql);
  }

  override async alarm(): Promise<void> {
    await this.syncIndex();
  }

  async create(id: string, request: CreateMerchantRequest): Promise<Result<MerchantWithKeys>> {
    const secrets = await newMerchantSecrets(await this.vault(), id);
    const result = await asResult(() => {
      this.ctx.storage.transactionSync(() => insertMerchant(this.sql, this.keys, id, request, secrets));
      return createdMerchant(readMerchant(this.sql), secrets);
    });
    await this.syncIndex();
    return result;
  }

  async retrieve(): Promise<Result<Merchant>> {
    return asResult(() => readMerchant(this.sql));
  }

  async update(patch: AdminUpdateMerchant, caller: Mode | 'admin'): Promise<Result<Merchant>> {
    const result = await asResult(() => {
      this.ctx.storage.transactionSync(() => {
        assertMayChangeSharedSettings(merchantRow(this.sql), caller);
        updateSettings(this.sql, patch);
        // A new webhook URL is a fresh start for its endpoint's health (and re-enables it).
        if (patch.webhook_url !== undefined) resetPrimaryHealth(this.sql);
        bumpVersion(this.sql);
      });
      return readMerchant(this.sql);
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
    const merchant = findMerchant(this.sql);
    const sealed =
      merchant && credentials ? await sealCredentials(() => this.vault(), merchant, channel, credentials) : null;
    const result = await asResult(() => {
      this.ctx.storage.transactionSync(() => configureChannel(this.sql, caller, channel, enabled, sealed));
      return readMerchant(this.sql);
    });
    await this.syncIndex();
    return result;
  }

  /** A channel's credentials for one mode in clear, for the channel adapter only; never returned by the API. */
  async channelCredentials(channel: string, mode: Mode): Promise<Result<Record<string, unknown> | null>> {
    return openCredentials(this.sql, () => this.vault(), channel, mode);
  }

  /**
   * For order objects, before a channel call: whether the merchant may take new payments, and
   * (`withCredentials`) the channel's credentials for one mode, opened. One round trip for both.
   */
  async channelAccess(channel: string, mode: Mode, withCredentials: boolean): Promise<Result<ChannelAccess>> {
    return channelAccess(this.sql, () => this.vault(), channel, mode, withCredentials);
  }

  // ---- keys ----------------------------------------------------------------------------

  /** Looks up a key by its hash and says exactly why it is refused. */
  async authenticate(keyHash: string): Promise<AuthenticationResult> {
    return authenticationOf(findMerchant(this.sql), this.keys.byHash(keyHash), channelRows(this.sql), now());
  }

  /** The keys of one mode: a key never sees or touches the other mode's keys. */
  async listKeys(mode: Mode): Promise<Result<ApiKey[]>> {
    return asResult(() => {
      merchantRow(this.sql);
      return this.keys.list(mode);
    });
  }

  async createKey(kind: ApiKeyKind, mode: Mode): Promise<Result<CreatedApiKey>> {
    return asResult(async () => {
      const key = await newKey(kind, mode, merchantRow(this.sql).id);
      return this.keys.insert(key, kind, mode);
    });
  }

  /** Issues a replacement key; the old one keeps working for `expiresIn` seconds, then is refused. */
  async rollKey(mode: Mode, keyId: string, expiresIn: number): Promise<Result<CreatedApiKey>> {
    return asResult(async () => {
      const old = this.keys.find(keyId, mode);
      const replacement = old ? await newKey(old.kind, mode, merchantRow(this.sql).id) : { secret: '', hash: '' };
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
      key: await checkSignedRequest(this.ctx.storage, () => this.vault(), merchantRow(this.sql), header, request),
    }));
  }

  async rollSigningSecret(caller: Mode | 'admin'): Promise<Result<{ object: 'signing_secret'; secret: string }>> {
    const row = findMerchant(this.sql);
    const secret = newRequestSigningSecret();
    const sealed = row ? await (await this.vault()).seal(secret, sealContext.signingSecret(row.id)) : '';
    return asResult(() => {
      assertMayChangeSharedSettings(merchantRow(this.sql), caller);
      setSigningSecret(this.sql, sealed);
      return { object: 'signing_secret' as const, secret };
    });
  }

  /** Re-seals every secret under the current master key; returns how many were re-sealed. */
  async reencrypt(): Promise<Result<{ reencrypted: number; key_id: string }>> {
    return asResult(async () => {
      const vault = await this.vault();
      const reencrypted = await resealMerchant(this.ctx.storage, vault, merchantRow(this.sql));
      return { reencrypted, key_id: vault.currentKeyId };
    });
  }

  /** A no-op round trip: the baseline the benchmark compares order calls with. */
  ping(): string {
    return 'pong';
  }

  // ---- webhook endpoints (webhook-endpoints.ts, webhook-destinations.ts, webhook-endpoint-health.ts) --

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
    return webhookDestinations(this.endpointContext, mode);
  }

  /** Order objects report each alarm run's outcome per endpoint; answers the endpoints now disabled. */
  async reportWebhookHealth(reports: WebhookHealthReport[]): Promise<string[]> {
    return reportWebhookHealth(this.ctx.storage, reports);
  }

  async webhookTarget(): Promise<{ url: string; secret: string } | null> {
    return primaryWebhookTarget(findMerchant(this.sql), () => this.vault());
  }
}
