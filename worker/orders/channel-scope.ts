/**
 * Builds what a channel adapter is called with for one order: the worker's origin, the order's
 * mode, the notify URL that leads back to this order, and the merchant's credentials for the
 * channel in that mode. Credentials are opened by the merchant object, with the merchant's
 * standing (disabled or not), and kept by the isolate for a short while, so a burst of calls costs
 * one round trip, and a change of credentials or standing reaches channel calls within ACCESS_TTL_MS.
 */
import { TillError } from '../../shared/errors.ts';
import type { Mode } from '../../shared/schemas.ts';
import { nowMs } from '../base/clock.ts';
import type { Env } from '../base/env.ts';
import { merchantStub } from '../base/merchant-stub.ts';
import { type Result, unwrap } from '../base/result.ts';
import { type ChannelId, channelOf, needsMerchantAccount } from '../channels/registry.ts';
import type { ChannelContext } from '../channels/types.ts';
import type { ChannelAccess } from '../merchants/channel-credentials.ts';

/** The facts of an order that decide how its channels are called. */
export interface ChannelScope {
  env: Env;
  orderId: string;
  merchantId: string;
  mode: Mode;
}

const ACCESS_TTL_MS = 30_000;
const MAX_KEPT = 500;

/** What the merchant object says about a merchant's use of one channel in one mode. */
interface Access {
  /** The merchant was disabled by the operator: no new payments. */
  disabled: boolean;
  /** Parsed by the channel's schema; null when none are needed or set. */
  credentials: unknown;
  /** Why stored credentials cannot be used: they do not open, or the channel's schema no longer takes them. */
  invalid: TillError | null;
}

const kept = new Map<string, { at: number; value: Promise<Access> }>();

/** Drops what is past its time, and the oldest when too many merchants pass through one isolate. */
function prune(at: number): void {
  for (const [key, entry] of kept) if (at - entry.at >= ACCESS_TTL_MS) kept.delete(key);
  // Oldest first: a Map iterates in insertion order, and deleting while iterating is safe.
  for (const key of kept.keys()) {
    if (kept.size < MAX_KEPT) break;
    kept.delete(key);
  }
}

/** Forgets what this isolate keeps of a merchant, after the merchant's settings changed here. */
export function forgetMerchantAccess(merchantId: string): void {
  for (const key of kept.keys()) if (key.startsWith(`${merchantId}:`)) kept.delete(key);
}

async function fetchAccess(scope: ChannelScope, channelId: ChannelId): Promise<Access> {
  const schema = channelOf(channelId).credentials;
  // The sandbox keeps its (rehearsal) credentials but never needs them for a call.
  const wanted = schema !== null && needsMerchantAccount(channelId);
  const stub = merchantStub(scope.env, scope.merchantId);
  // RPC typing cannot carry the credentials' open record (it answers unknown): the shape is the merchant object's.
  const access = unwrap((await stub.channelAccess(channelId, scope.mode, wanted)) as Result<ChannelAccess>);
  if (access.problem) {
    const invalid = new TillError(access.problem.code, access.problem.message, access.problem.param);
    return { disabled: access.disabled, credentials: null, invalid };
  }
  if (!wanted || access.credentials === null) return { disabled: access.disabled, credentials: null, invalid: null };
  // Checked on entry already; read again so the adapter gets its own types (and a schema that
  // tightened since refuses old credentials clearly instead of failing inside a call).
  const parsed = schema.safeParse(access.credentials);
  if (parsed.success) return { disabled: access.disabled, credentials: parsed.data, invalid: null };
  const invalid = new TillError(
    'channel_not_available',
    `The ${channelId} credentials for ${scope.mode} mode are no longer valid: enter them again`,
  );
  return { disabled: access.disabled, credentials: null, invalid };
}

/** The merchant's standing and credentials for a channel, kept by the isolate for ACCESS_TTL_MS. */
function accessFor(scope: ChannelScope, channelId: ChannelId): Promise<Access> {
  const key = `${scope.merchantId}:${scope.mode}:${channelId}`;
  const hit = kept.get(key);
  if (hit && nowMs() - hit.at < ACCESS_TTL_MS) return hit.value;
  prune(nowMs());
  const entry = { at: nowMs(), value: fetchAccess(scope, channelId) };
  kept.set(key, entry);
  // A failure is not kept; a newer entry set meanwhile stays.
  entry.value.catch(() => kept.get(key) === entry && kept.delete(key));
  return entry.value;
}

async function credentialsFor(scope: ChannelScope, channelId: ChannelId): Promise<unknown> {
  // Channels that need no account of the merchant's cost no round trip.
  if (channelOf(channelId).credentials === null || !needsMerchantAccount(channelId)) return null;
  const access = await accessFor(scope, channelId);
  if (access.invalid) throw access.invalid;
  return access.credentials;
}

/**
 * Refuses a new payment for a merchant the operator disabled. The answer comes with the
 * channel's credentials, which the start call then takes from the isolate: for a channel on the
 * merchant's own account this costs no round trip of its own.
 */
export async function assertMayCharge(scope: ChannelScope, channelId: ChannelId): Promise<void> {
  if ((await accessFor(scope, channelId)).disabled) {
    throw new TillError('merchant_disabled', 'This merchant account is disabled: it takes no new payments');
  }
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
