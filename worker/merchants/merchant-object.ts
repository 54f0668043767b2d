/**
 * One Durable Object per merchant: its configuration and hashed API keys, single writer.
 */
import { DurableObject } from 'cloudflare:workers';
import { TillError } from '../../shared/errors.ts';
import type { CreateMerchantRequest, Merchant, MerchantWithKeys, Mode } from '../../shared/schemas.ts';
import type { Env } from '../env.ts';
import { asResult, type Result } from '../result.ts';
import { hashApiKey, keyPrefix, newApiKey, newWebhookSecret, type KeyKind } from './api-keys.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS merchant (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, mode TEXT NOT NULL, webhook_url TEXT, webhook_secret TEXT NOT NULL,
  channels TEXT NOT NULL, created_at INTEGER NOT NULL, disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS api_keys (
  hash TEXT PRIMARY KEY, kind TEXT NOT NULL, mode TEXT NOT NULL, prefix TEXT NOT NULL,
  created_at INTEGER NOT NULL, revoked_at INTEGER);
`;

interface MerchantRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  mode: Mode;
  webhook_url: string | null;
  webhook_secret: string;
  channels: string;
  created_at: number;
  disabled: number;
}

/** What a request authenticated by a merchant key may know about its merchant. */
export interface MerchantPrincipal {
  id: string;
  name: string;
  mode: Mode;
  channels: string[];
  keyKind: KeyKind;
}

export class MerchantObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
  }

  private row(): MerchantRow | undefined {
    return this.sql.exec<MerchantRow>('SELECT * FROM merchant').toArray()[0];
  }

  private view(row: MerchantRow): Merchant {
    return {
      id: row.id,
      object: 'merchant',
      name: row.name,
      mode: row.mode,
      webhook_url: row.webhook_url,
      channels: JSON.parse(row.channels) as string[],
      created_at: row.created_at,
    };
  }

  async create(id: string, request: CreateMerchantRequest): Promise<Result<MerchantWithKeys>> {
    const mode: Mode = 'test';
    const secretKey = newApiKey('secret', mode, id);
    const publishableKey = newApiKey('publishable', mode, id);
    const webhookSecret = newWebhookSecret();
    const hashes = await Promise.all([hashApiKey(secretKey), hashApiKey(publishableKey)]);
    return asResult(() => {
      const created = Math.floor(Date.now() / 1000);
      this.ctx.storage.transactionSync(() => {
        if (this.row()) throw new TillError('invalid_parameter', 'merchant already exists', 'id');
        this.sql.exec(
          'INSERT INTO merchant (id, name, mode, webhook_url, webhook_secret, channels, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          id,
          request.name,
          mode,
          request.webhook_url ?? null,
          webhookSecret,
          JSON.stringify(request.channels),
          created,
        );
        const keys: Array<[string, KeyKind, string]> = [
          [hashes[0], 'secret', secretKey],
          [hashes[1], 'publishable', publishableKey],
        ];
        for (const [hash, kind, key] of keys) {
          this.sql.exec(
            'INSERT INTO api_keys (hash, kind, mode, prefix, created_at) VALUES (?, ?, ?, ?, ?)',
            hash,
            kind,
            mode,
            keyPrefix(key),
            created,
          );
        }
      });
      const row = this.row()!;
      return { ...this.view(row), secret_key: secretKey, publishable_key: publishableKey, webhook_secret: webhookSecret };
    });
  }

  async retrieve(): Promise<Result<Merchant>> {
    return asResult(() => {
      const row = this.row();
      if (!row) throw new TillError('merchant_not_found', 'No such merchant');
      return this.view(row);
    });
  }

  async setWebhookUrl(url: string | null): Promise<Result<Merchant>> {
    return asResult(() => {
      const row = this.row();
      if (!row) throw new TillError('merchant_not_found', 'No such merchant');
      this.sql.exec('UPDATE merchant SET webhook_url = ?', url);
      return this.view({ ...row, webhook_url: url });
    });
  }

  /** Looks up a key by its hash; null for an unknown, revoked or disabled one. */
  async authenticate(keyHash: string): Promise<MerchantPrincipal | null> {
    const row = this.row();
    if (!row || row.disabled) return null;
    const key = this.sql
      .exec<{ kind: KeyKind; mode: Mode }>('SELECT kind, mode FROM api_keys WHERE hash = ? AND revoked_at IS NULL', keyHash)
      .toArray()[0];
    if (!key) return null;
    return { id: row.id, name: row.name, mode: key.mode, channels: JSON.parse(row.channels) as string[], keyKind: key.kind };
  }

  /** A no-op round trip: the baseline the benchmark compares order calls with. */
  ping(): string {
    return 'pong';
  }

  async webhookTarget(): Promise<{ url: string; secret: string } | null> {
    const row = this.row();
    return row?.webhook_url ? { url: row.webhook_url, secret: row.webhook_secret } : null;
  }
}
