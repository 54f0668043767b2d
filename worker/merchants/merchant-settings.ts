/**
 * A merchant's own row and its channels in its object's SQLite: reading them, changing the
 * settings, switching channels and storing their sealed credentials. Synchronous, so the object
 * runs each decision inside one transaction.
 */
import { TillError } from '../../shared/errors.ts';
import type { AdminUpdateMerchant, CreateMerchantRequest, Merchant, Mode } from '../../shared/schemas.ts';
import { now } from '../base/clock.ts';
import {
  CHANNELS_SQL,
  type ChannelCredentialsRow,
  type ChannelRow,
  cardRouting,
  type MerchantRow,
  merchantView,
} from './merchant-store.ts';
import { insertPrimaryEndpoint } from './webhook-endpoint-rows.ts';

/**
 * Webhook endpoint, origins, signing keys and enabled channels serve both modes: once live is
 * on, a test key (handed to staging, a contractor, CI) must not redirect live money or events.
 * Checked here, in the transaction, not on a principal cached for 30 s.
 */
export function assertMayChangeSharedSettings(row: MerchantRow, caller: Mode | 'admin'): void {
  if (caller === 'test' && row.live_enabled === 1) {
    throw new TillError(
      'forbidden',
      'Live mode is on: change settings shared with live mode with a live secret key (sk_live_…)',
    );
  }
}

/** One mode's credentials for a channel, sealed outside the transaction. */
export interface SealedCredentials {
  mode: Mode;
  sealed: string;
}

export function findMerchant(sql: SqlStorage): MerchantRow | undefined {
  return sql.exec<MerchantRow>('SELECT * FROM merchant').toArray()[0];
}

export function merchantRow(sql: SqlStorage): MerchantRow {
  const row = findMerchant(sql);
  if (!row) throw new TillError('merchant_not_found', 'No such merchant');
  return row;
}

export const channelRows = (sql: SqlStorage): ChannelRow[] => sql.exec<ChannelRow>(CHANNELS_SQL).toArray();

/** The merchant as the API shows it. */
export const readMerchant = (sql: SqlStorage): Merchant => merchantView(merchantRow(sql), channelRows(sql));

/** Every change bumps the version; the index copy follows (retried by the alarm until written). */
export function bumpVersion(sql: SqlStorage): void {
  sql.exec('UPDATE merchant SET version = version + 1');
}

/** The index holds `version` now (or a newer one). */
export function markIndexed(sql: SqlStorage, version: number): void {
  sql.exec('UPDATE merchant SET indexed_version = MAX(indexed_version, ?)', version);
}

/** A new merchant's row, channels and primary webhook endpoint; its secrets come sealed. */
export function insertMerchantRow(
  sql: SqlStorage,
  id: string,
  request: CreateMerchantRequest,
  sealed: { webhookSecret: string; signingSecret: string },
): void {
  sql.exec(
    `INSERT INTO merchant (id, name, webhook_url, webhook_secret, webhook_secret_sealed, signing_secret_sealed,
       created_at, allowed_origins, limits, require_signed_requests)
     VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?)`,
    id,
    request.name,
    request.webhook_url ?? null,
    sealed.webhookSecret,
    sealed.signingSecret,
    now(),
    JSON.stringify(request.allowed_origins ?? []),
    JSON.stringify(request.limits ?? { max_order_amount: {} }),
    request.require_signed_requests ? 1 : 0,
  );
  for (const channel of request.channels) sql.exec('INSERT INTO channels (channel, enabled) VALUES (?, 1)', channel);
  insertPrimaryEndpoint(sql, now());
}

/** Writes each setting the patch names; the caller checked it may. */
export function updateSettings(sql: SqlStorage, patch: AdminUpdateMerchant): void {
  const columns: Array<[string, SqlStorageValue]> = [];
  if (patch.name !== undefined) columns.push(['name', patch.name]);
  if (patch.webhook_url !== undefined) columns.push(['webhook_url', patch.webhook_url]);
  if (patch.allowed_origins !== undefined) columns.push(['allowed_origins', JSON.stringify(patch.allowed_origins)]);
  if (patch.limits !== undefined) columns.push(['limits', JSON.stringify(patch.limits)]);
  if (patch.signing_public_keys !== undefined)
    columns.push(['signing_public_keys', JSON.stringify(patch.signing_public_keys)]);
  if (patch.require_signed_requests !== undefined)
    columns.push(['require_signed_requests', patch.require_signed_requests ? 1 : 0]);
  if (patch.live_enabled !== undefined) columns.push(['live_enabled', patch.live_enabled ? 1 : 0]);
  if (patch.card_routing !== undefined) {
    const current = cardRouting(merchantRow(sql));
    columns.push(['card_routing', JSON.stringify({ ...current, ...patch.card_routing })]);
  }
  if (patch.disabled !== undefined) columns.push(['disabled', patch.disabled ? 1 : 0]);
  for (const [column, value] of columns) sql.exec(`UPDATE merchant SET ${column} = ?`, value);
}

/**
 * Switches a channel on or off (for both modes) and stores one mode's sealed credentials. With
 * live on, a test key may set test credentials but not switch a channel on or off.
 */
export function configureChannel(
  sql: SqlStorage,
  caller: Mode | 'admin',
  channel: string,
  enabled: boolean,
  credentials: SealedCredentials | null,
): void {
  // First: an object with no merchant (a made-up id) must be left as empty as it was found.
  const merchant = merchantRow(sql);
  const current = channelRows(sql).find((row) => row.channel === channel);
  // A channel without a row is off: adding it switched off (credentials only) changes nothing shared.
  if ((current?.enabled ?? 0) !== (enabled ? 1 : 0)) assertMayChangeSharedSettings(merchant, caller);
  sql.exec(
    'INSERT INTO channels (channel, enabled) VALUES (?1, ?2) ON CONFLICT (channel) DO UPDATE SET enabled = ?2',
    channel,
    enabled ? 1 : 0,
  );
  if (credentials) {
    sql.exec(
      `INSERT INTO channel_credentials (channel, mode, sealed, updated_at) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT (channel, mode) DO UPDATE SET sealed = ?3, updated_at = ?4`,
      channel,
      credentials.mode,
      credentials.sealed,
      now(),
    );
  }
  bumpVersion(sql);
}

/** One mode's credentials for a channel, still sealed. */
export function sealedCredentials(sql: SqlStorage, channel: string, mode: Mode): string | undefined {
  return sql
    .exec<ChannelCredentialsRow>('SELECT * FROM channel_credentials WHERE channel = ? AND mode = ?', channel, mode)
    .toArray()[0]?.sealed;
}

export function setSigningSecret(sql: SqlStorage, sealed: string): void {
  sql.exec('UPDATE merchant SET signing_secret_sealed = ?', sealed);
}
