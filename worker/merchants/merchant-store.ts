/**
 * SQLite layout of a merchant's Durable Object and the mapping from rows to API objects.
 * Synchronous, so callers compose these inside one transaction.
 */
import type {
  ApiKey,
  ApiKeyKind,
  CardRouting,
  Merchant,
  MerchantLimits,
  Mode,
  SigningPublicKey,
} from '../../shared/schemas.ts';
import type { Migration } from '../base/sql-migrations.ts';

export const MERCHANT_MIGRATIONS: readonly Migration[] = [
  // 1: the walking skeleton's layout.
  `CREATE TABLE IF NOT EXISTS merchant (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, mode TEXT NOT NULL, webhook_url TEXT, webhook_secret TEXT NOT NULL,
     channels TEXT NOT NULL, created_at INTEGER NOT NULL, disabled INTEGER NOT NULL DEFAULT 0);
   CREATE TABLE IF NOT EXISTS api_keys (
     hash TEXT PRIMARY KEY, kind TEXT NOT NULL, mode TEXT NOT NULL, prefix TEXT NOT NULL,
     created_at INTEGER NOT NULL, revoked_at INTEGER);`,
  // 2: the open platform: test and live side by side, sealed secrets, key rotation, channels
  // with credentials, request-signature nonces. Clear-text webhook secrets are sealed on load.
  `ALTER TABLE merchant DROP COLUMN mode;
   ALTER TABLE merchant ADD COLUMN live_enabled INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE merchant ADD COLUMN allowed_origins TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE merchant ADD COLUMN limits TEXT NOT NULL DEFAULT '{"max_order_amount":{}}';
   ALTER TABLE merchant ADD COLUMN require_signed_requests INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE merchant ADD COLUMN signing_public_keys TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE merchant ADD COLUMN webhook_secret_sealed TEXT;
   ALTER TABLE merchant ADD COLUMN signing_secret_sealed TEXT;
   ALTER TABLE merchant ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE merchant ADD COLUMN indexed_version INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE channels (
     channel TEXT PRIMARY KEY, enabled INTEGER NOT NULL, credentials_sealed TEXT, credentials_updated_at INTEGER);
   INSERT INTO channels (channel, enabled) SELECT value, 1 FROM merchant, json_each(merchant.channels);
   ALTER TABLE merchant DROP COLUMN channels;
   ALTER TABLE api_keys ADD COLUMN id TEXT;
   ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
   UPDATE api_keys SET id = 'key_' || substr(hash, 1, 20);
   CREATE UNIQUE INDEX api_keys_by_id ON api_keys (id);
   CREATE TABLE nonces (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
   CREATE INDEX nonces_by_expiry ON nonces (expires_at);`,
  // 3: webhook endpoints per mode, each with its own sealed secret and event filter. The primary
  // row stands for the webhook_url setting (both modes, the merchant's webhook secret) and holds
  // its health; existing merchants get its id here, new ones at creation (merchant-settings.ts).
  `CREATE TABLE webhook_endpoints (
     id TEXT PRIMARY KEY, mode TEXT, is_primary INTEGER NOT NULL DEFAULT 0, url TEXT, description TEXT,
     enabled_events TEXT NOT NULL DEFAULT '["*"]', secret_sealed TEXT, previous_secret_sealed TEXT,
     previous_secret_expires_at INTEGER, status TEXT NOT NULL DEFAULT 'enabled', disabled_reason TEXT,
     failing_since INTEGER, last_error TEXT, created_at INTEGER NOT NULL);
   CREATE UNIQUE INDEX webhook_endpoints_one_primary ON webhook_endpoints (is_primary) WHERE is_primary = 1;
   INSERT INTO webhook_endpoints (id, is_primary, created_at)
     SELECT 'we_' || lower(hex(randomblob(12))), 1, created_at FROM merchant;`,
  // 4: when an endpoint last failed, so a failure long after the last one starts a new run.
  `ALTER TABLE webhook_endpoints ADD COLUMN last_failed_at INTEGER;`,
  // 5: channel credentials per mode (a channel's sandbox app and its production app differ).
  // Credentials set before served both modes; they become the test mode's, sealed as they were.
  `CREATE TABLE channel_credentials (
     channel TEXT NOT NULL, mode TEXT NOT NULL, sealed TEXT NOT NULL, updated_at INTEGER NOT NULL,
     PRIMARY KEY (channel, mode));
   INSERT INTO channel_credentials (channel, mode, sealed, updated_at)
     SELECT channel, 'test', credentials_sealed, COALESCE(credentials_updated_at, 0) FROM channels
     WHERE credentials_sealed IS NOT NULL;
   ALTER TABLE channels DROP COLUMN credentials_sealed;
   ALTER TABLE channels DROP COLUMN credentials_updated_at;`,
  // 6: each mode's card routing (issue 14): which processors take a card, in order.
  `ALTER TABLE merchant ADD COLUMN card_routing TEXT NOT NULL DEFAULT '{"test":[],"live":[]}';`,
];

export interface MerchantRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  webhook_url: string | null;
  /** Legacy clear-text secret; empty once sealed. */
  webhook_secret: string;
  webhook_secret_sealed: string | null;
  signing_secret_sealed: string | null;
  created_at: number;
  disabled: number;
  live_enabled: number;
  allowed_origins: string;
  limits: string;
  require_signed_requests: number;
  signing_public_keys: string;
  card_routing: string;
  version: number;
  indexed_version: number;
}

export interface ApiKeyRow extends Record<string, SqlStorageValue> {
  id: string;
  hash: string;
  kind: ApiKeyKind;
  mode: Mode;
  prefix: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

/** A channel as CHANNELS_SQL reads it: enabled or not, and when each mode's credentials were set. */
export interface ChannelRow extends Record<string, SqlStorageValue> {
  channel: string;
  enabled: number;
  test_credentials_at: number | null;
  live_credentials_at: number | null;
}

export const CHANNELS_SQL = `SELECT c.channel, c.enabled,
    t.updated_at AS test_credentials_at, l.updated_at AS live_credentials_at
  FROM channels c
  LEFT JOIN channel_credentials t ON t.channel = c.channel AND t.mode = 'test'
  LEFT JOIN channel_credentials l ON l.channel = c.channel AND l.mode = 'live'
  ORDER BY c.channel`;

export interface ChannelCredentialsRow extends Record<string, SqlStorageValue> {
  channel: string;
  mode: Mode;
  sealed: string;
  updated_at: number;
}

export const credentialsSetAt = (channel: ChannelRow, mode: Mode): number | null =>
  mode === 'test' ? channel.test_credentials_at : channel.live_credentials_at;

export const merchantLimits = (row: MerchantRow): MerchantLimits => JSON.parse(row.limits) as MerchantLimits;
export const allowedOrigins = (row: MerchantRow): string[] => JSON.parse(row.allowed_origins) as string[];
export const cardRouting = (row: MerchantRow): CardRouting => JSON.parse(row.card_routing) as CardRouting;
export const signingPublicKeys = (row: MerchantRow): SigningPublicKey[] =>
  JSON.parse(row.signing_public_keys) as SigningPublicKey[];

export function merchantView(row: MerchantRow, channels: ChannelRow[]): Merchant {
  return {
    id: row.id,
    object: 'merchant',
    name: row.name,
    live_enabled: row.live_enabled === 1,
    disabled: row.disabled === 1,
    webhook_url: row.webhook_url,
    allowed_origins: allowedOrigins(row),
    channels: channels.map((channel) => ({
      channel: channel.channel,
      enabled: channel.enabled === 1,
      credentials: {
        test: channel.test_credentials_at === null ? null : { updated_at: channel.test_credentials_at },
        live: channel.live_credentials_at === null ? null : { updated_at: channel.live_credentials_at },
      },
    })),
    limits: merchantLimits(row),
    require_signed_requests: row.require_signed_requests === 1,
    signing_public_keys: signingPublicKeys(row),
    card_routing: cardRouting(row),
    created_at: row.created_at,
  };
}

export function apiKeyView(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    object: 'api_key',
    kind: row.kind,
    mode: row.mode,
    prefix: row.prefix,
    created_at: row.created_at,
    expires_at: row.expires_at,
    revoked_at: row.revoked_at,
  };
}

/** Where each sealed value lives: the vault's associated data. */
export const sealContext = {
  webhookSecret: (merchantId: string) => `merchant:${merchantId}:webhook_secret`,
  signingSecret: (merchantId: string) => `merchant:${merchantId}:signing_secret`,
  // Test-mode credentials keep the context of the credentials that served both modes before
  // migration 5, so those still open.
  channel: (merchantId: string, channel: string, mode: Mode) =>
    mode === 'test' ? `merchant:${merchantId}:channel:${channel}` : `merchant:${merchantId}:channel:${channel}:live`,
  webhookEndpoint: (merchantId: string, endpointId: string) => `merchant:${merchantId}:webhook_endpoint:${endpointId}`,
};
