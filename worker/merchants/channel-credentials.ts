/**
 * A merchant's channel credentials at rest: sealed per channel and mode before they are stored,
 * opened only for the channel adapters of its order objects, never returned by the API.
 */
import type { Mode } from '../../shared/schemas.ts';
import type { Failed, Result } from '../base/result.ts';
import { type Vault, VaultError } from '../base/vault.ts';
import { findMerchant, type SealedCredentials, sealedCredentials } from './merchant-settings.ts';
import { type MerchantRow, sealContext } from './merchant-store.ts';

/** A merchant's standing and one channel's credentials, as order objects need them before a channel call. */
export interface ChannelAccess {
  /** Disabled by the operator: no new payments (docs/decisions.md). */
  disabled: boolean;
  credentials: Record<string, unknown> | null;
  /** Why the stored credentials could not be opened, if they could not. */
  problem: Failed['error'] | null;
}

/** Credentials already checked by the channel's schema, sealed to their merchant, channel and mode. */
export async function sealCredentials(
  vault: () => Promise<Vault>,
  merchant: MerchantRow,
  channel: string,
  credentials: { mode: Mode; value: Record<string, unknown> },
): Promise<SealedCredentials> {
  const sealed = await (await vault()).seal(
    JSON.stringify(credentials.value),
    sealContext.channel(merchant.id, channel, credentials.mode),
  );
  return { mode: credentials.mode, sealed };
}

/** A channel's credentials for one mode in clear, or why they do not open. */
export async function openCredentials(
  sql: SqlStorage,
  vault: () => Promise<Vault>,
  channel: string,
  mode: Mode,
): Promise<Result<Record<string, unknown> | null>> {
  const row = findMerchant(sql);
  const sealed = sealedCredentials(sql, channel, mode);
  if (!row || !sealed) return { ok: true, value: null };
  try {
    const opened = await (await vault()).open(sealed, sealContext.channel(row.id, channel, mode));
    return { ok: true, value: JSON.parse(opened) as Record<string, unknown> };
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
 * Whether the merchant may take new payments, and (`withCredentials`) the channel's credentials
 * for one mode, opened: one round trip for both.
 */
export async function channelAccess(
  sql: SqlStorage,
  vault: () => Promise<Vault>,
  channel: string,
  mode: Mode,
  withCredentials: boolean,
): Promise<Result<ChannelAccess>> {
  const disabled = findMerchant(sql)?.disabled === 1;
  if (!withCredentials) return { ok: true, value: { disabled, credentials: null, problem: null } };
  const opened = await openCredentials(sql, vault, channel, mode);
  return {
    ok: true,
    value: opened.ok
      ? { disabled, credentials: opened.value, problem: null }
      : { disabled, credentials: null, problem: opened.error },
  };
}
