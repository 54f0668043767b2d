/**
 * Builds what a channel adapter is called with for one order: the worker's origin, the order's
 * mode, the notify URL that leads back to this order, and the merchant's credentials for the
 * channel in that mode. Credentials are opened by the merchant object and kept by the isolate
 * for a short while, so a burst of calls costs one round trip, and a change of credentials
 * reaches channel calls within CREDENTIALS_TTL_MS.
 */
import { TillError } from '../../shared/errors.ts';
import type { Mode } from '../../shared/schemas.ts';
import { nowMs } from '../base/clock.ts';
import type { Env } from '../base/env.ts';
import { merchantStub } from '../base/merchant-stub.ts';
import { unwrap } from '../base/result.ts';
import { type ChannelId, channelOf, needsMerchantAccount } from '../channels/registry.ts';
import type { ChannelContext } from '../channels/types.ts';

/** The facts of an order that decide how its channels are called. */
export interface ChannelScope {
  env: Env;
  orderId: string;
  merchantId: string;
  mode: Mode;
}

const CREDENTIALS_TTL_MS = 30_000;
const MAX_OPENED = 500;
const opened = new Map<string, { at: number; value: Promise<unknown> }>();

/** Drops what is past its time, and the oldest when too many merchants pass through one isolate. */
function prune(at: number): void {
  for (const [key, entry] of opened) if (at - entry.at >= CREDENTIALS_TTL_MS) opened.delete(key);
  // Oldest first: a Map iterates in insertion order, and deleting while iterating is safe.
  for (const key of opened.keys()) {
    if (opened.size < MAX_OPENED) break;
    opened.delete(key);
  }
}

async function credentialsFor(scope: ChannelScope, channelId: ChannelId): Promise<unknown> {
  const schema = channelOf(channelId).credentials;
  // The sandbox keeps its (rehearsal) credentials but never needs them for a call.
  if (!schema || !needsMerchantAccount(channelId)) return null;
  const key = `${scope.merchantId}:${scope.mode}:${channelId}`;
  const hit = opened.get(key);
  if (hit && nowMs() - hit.at < CREDENTIALS_TTL_MS) return hit.value;
  prune(nowMs());
  const value = (async () => {
    const stored = unwrap(await merchantStub(scope.env, scope.merchantId).channelCredentials(channelId, scope.mode));
    if (stored === null) return null;
    // Checked on entry already; read again so the adapter gets its own types (and a schema that
    // tightened since refuses old credentials clearly instead of failing inside a call).
    const parsed = schema.safeParse(stored);
    if (!parsed.success)
      throw new TillError(
        'channel_not_available',
        `The ${channelId} credentials for ${scope.mode} mode are no longer valid: enter them again`,
      );
    return parsed.data;
  })();
  const entry = { at: nowMs(), value };
  opened.set(key, entry);
  // A failure is not kept; a newer entry set meanwhile stays.
  value.catch(() => opened.get(key) === entry && opened.delete(key));
  return value;
}

export const notifyUrlOf = (origin: string, channelId: ChannelId, orderId: string): string =>
  `${origin}/v1/channels/${channelId}/notify/${orderId}`;

export async function channelContext(
  scope: ChannelScope,
  channelId: ChannelId,
  origin: string,
): Promise<ChannelContext> {
  return {
    env: scope.env,
    origin,
    mode: scope.mode,
    credentials: await credentialsFor(scope, channelId),
    notifyUrl: notifyUrlOf(origin, channelId, scope.orderId),
  };
}
