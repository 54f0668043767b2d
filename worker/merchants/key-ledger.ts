/**
 * A merchant's API keys in its object's SQLite, as synchronous steps so the object can run each
 * decision inside one transaction. Keys are found by hash; a key of one mode never reaches the
 * other mode's keys.
 */
import { TillError } from '../../shared/errors.ts';
import type { ApiKey, ApiKeyKind, CreatedApiKey, Mode } from '../../shared/schemas.ts';
import { now } from '../base/clock.ts';
import { hashApiKey, keyPrefix, newApiKey, newKeyId } from './api-keys.ts';
import { type ApiKeyRow, apiKeyView } from './merchant-store.ts';

/** A key made outside the transaction (hashing is async): its secret and hash. */
export interface NewKey {
  secret: string;
  hash: string;
}

/** A fresh key of one of the merchant's kinds and modes, hashed before the transaction that stores it. */
export async function newKey(kind: ApiKeyKind, mode: Mode, merchantId: string): Promise<NewKey> {
  const secret = newApiKey(kind, mode, merchantId);
  return { secret, hash: await hashApiKey(secret) };
}

export class KeyLedger {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  byHash(hash: string): ApiKeyRow | undefined {
    return this.sql.exec<ApiKeyRow>('SELECT * FROM api_keys WHERE hash = ?', hash).toArray()[0];
  }

  find(id: string, mode: Mode): ApiKeyRow | undefined {
    return this.sql.exec<ApiKeyRow>('SELECT * FROM api_keys WHERE id = ? AND mode = ?', id, mode).toArray()[0];
  }

  private get(id: string, mode: Mode): ApiKeyRow {
    const key = this.find(id, mode);
    if (!key) throw new TillError('api_key_not_found', `No such ${mode} API key`, 'id');
    return key;
  }

  list(mode: Mode): ApiKey[] {
    return this.sql
      .exec<ApiKeyRow>('SELECT * FROM api_keys WHERE mode = ? ORDER BY created_at DESC, id', mode)
      .toArray()
      .map(apiKeyView);
  }

  insert(key: NewKey, kind: ApiKeyKind, mode: Mode): CreatedApiKey {
    const row: ApiKeyRow = {
      id: newKeyId(),
      hash: key.hash,
      kind,
      mode,
      prefix: keyPrefix(key.secret),
      created_at: now(),
      expires_at: null,
      revoked_at: null,
    };
    this.sql.exec(
      'INSERT INTO api_keys (id, hash, kind, mode, prefix, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      row.id,
      row.hash,
      row.kind,
      row.mode,
      row.prefix,
      row.created_at,
    );
    return { ...apiKeyView(row), secret: key.secret };
  }

  /** Puts `replacement` in the key's place; the old key works `expiresIn` more seconds (0: none). */
  roll(mode: Mode, id: string, expiresIn: number, replacement: NewKey): CreatedApiKey {
    const current = this.get(id, mode);
    if (current.revoked_at !== null || (current.expires_at !== null && current.expires_at <= now())) {
      throw new TillError('api_key_not_active', 'This API key is already revoked or expired: create a new one instead');
    }
    if (current.expires_at !== null)
      throw new TillError('api_key_not_active', 'This API key was already rolled: roll its replacement instead');
    if (expiresIn === 0) this.sql.exec('UPDATE api_keys SET revoked_at = ? WHERE id = ?', now(), id);
    else this.sql.exec('UPDATE api_keys SET expires_at = ? WHERE id = ?', now() + expiresIn, id);
    return this.insert(replacement, current.kind, current.mode);
  }

  revoke(mode: Mode, id: string): ApiKey {
    if (this.get(id, mode).revoked_at === null)
      this.sql.exec('UPDATE api_keys SET revoked_at = ? WHERE id = ?', now(), id);
    return apiKeyView(this.get(id, mode));
  }
}
