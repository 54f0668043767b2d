/**
 * Every channel Till speaks. Adding one is a folder plus one line here; the `satisfies` makes a
 * missed line a type error wherever a ChannelId is used.
 */
import type { Mode } from '../../shared/schemas.ts';
import type { Env } from '../base/env.ts';
import { adyen } from './adyen/index.ts';
import { alipay } from './alipay/index.ts';
import { sandbox } from './sandbox/index.ts';
import { stripe } from './stripe/index.ts';
import type { Channel } from './types.ts';
import { wechatpay } from './wechatpay/index.ts';

export const CHANNEL_IDS = ['sandbox', 'alipay', 'wechatpay', 'stripe', 'adyen'] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];

export const channels = {
  sandbox,
  alipay,
  wechatpay,
  stripe,
  adyen,
} satisfies Record<ChannelId, Channel>;

/** Channels that take no payment until the merchant has configured its own account with them (in that mode). */
const merchantAccountNeeded = {
  sandbox: false,
  alipay: true,
  wechatpay: true,
  stripe: true,
  adyen: true,
} satisfies Record<ChannelId, boolean>;

export const needsMerchantAccount = (id: ChannelId): boolean => merchantAccountNeeded[id];

/** Card processors: the router may send a card to them (channels/card/router.ts). */
const cardProcessor = {
  sandbox: true,
  alipay: false,
  wechatpay: false,
  stripe: true,
  adyen: true,
} satisfies Record<ChannelId, boolean>;

export const isCardProcessor = (id: ChannelId): boolean => cardProcessor[id];

/** Why this deployment cannot run a channel in a mode, or null when it can. */
const deploymentGap = {
  sandbox: () => null,
  alipay: () => null,
  wechatpay: (env, mode) =>
    mode === 'test' && !env.WECHATPAY_API_TEST
      ? 'WeChat Pay has no sandbox, and this deployment points test mode at ' +
        'no stand-in (WECHATPAY_API_TEST): use live mode, or ask the operator'
      : null,
  // Stripe's own test mode takes sk_test_ keys: no stand-in needed.
  stripe: () => null,
  // Adyen's test platform is public; live mode reaches the company's own endpoint, from the prefix
  // in its credentials (or ADYEN_API_LIVE), checked when a live call is made.
  adyen: () => null,
} satisfies Record<ChannelId, (env: Env, mode: Mode) => string | null>;

export const deploymentGapOf = (id: ChannelId, env: Env, mode: Mode): string | null => deploymentGap[id](env, mode);

/** Whether an enabled channel can take payments; ids Till does not know pass through (nothing offers them). */
export function channelReady(id: string, hasCredentials: boolean): boolean {
  return !isChannelId(id) || !merchantAccountNeeded[id] || hasCredentials;
}

export function isChannelId(value: unknown): value is ChannelId {
  return typeof value === 'string' && (CHANNEL_IDS as readonly string[]).includes(value);
}

export function channelOf(id: ChannelId): Channel {
  return channels[id] as Channel;
}
