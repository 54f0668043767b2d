/** Who a merchant key authenticates as, and why a key is refused. */
import type { ApiKeyKind, CardRoute, MerchantLimits, Mode } from '../../shared/schemas.ts';
import { channelReady } from '../channels/registry.ts';
import {
  type ApiKeyRow,
  allowedOrigins,
  type ChannelRow,
  cardRouting,
  credentialsSetAt,
  type MerchantRow,
  merchantLimits,
} from './merchant-store.ts';

/** What a request authenticated by one of the merchant's keys may know about its merchant. */
export interface MerchantPrincipal {
  id: string;
  name: string;
  mode: Mode;
  role: ApiKeyKind;
  keyId: string;
  /**
   * The channels enabled and ready in the key's mode (those that need the merchant's own account have its credentials).
   */
  channels: string[];
  /** The key's mode's card routing (empty: Till's default order). */
  cardRouting: CardRoute[];
  allowedOrigins: string[];
  requireSignedRequests: boolean;
  limits: MerchantLimits;
  /** When a rolled key stops working (unix seconds), or null. */
  keyExpiresAt: number | null;
}

export type AuthenticationResult =
  | { ok: true; principal: MerchantPrincipal }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'merchant_disabled' | 'live_not_enabled' };

export function authenticationOf(
  row: MerchantRow | undefined,
  key: ApiKeyRow | undefined,
  channels: ChannelRow[],
  now: number,
): AuthenticationResult {
  if (!row || !key) return { ok: false, reason: 'unknown' };
  if (key.revoked_at !== null) return { ok: false, reason: 'revoked' };
  if (key.expires_at !== null && key.expires_at <= now) return { ok: false, reason: 'expired' };
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
      channels: channels
        .filter(
          (channel) =>
            channel.enabled === 1 && channelReady(channel.channel, credentialsSetAt(channel, key.mode) !== null),
        )
        .map((channel) => channel.channel),
      cardRouting: cardRouting(row)[key.mode],
      allowedOrigins: allowedOrigins(row),
      requireSignedRequests: row.require_signed_requests === 1,
      limits: merchantLimits(row),
      keyExpiresAt: key.expires_at,
    },
  };
}
