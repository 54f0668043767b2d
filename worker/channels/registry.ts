/**
 * Every channel Till speaks. Adding one is a folder plus one line here; the `satisfies` makes a
 * missed line a type error wherever a ChannelId is used.
 */
import type { Channel } from './types.ts';
import { alipay } from './alipay/index.ts';
import { sandbox } from './sandbox/index.ts';
import { wechatpay } from './wechatpay/index.ts';

export const CHANNEL_IDS = ['sandbox', 'alipay', 'wechatpay'] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];

export const channels = {
  sandbox,
  alipay,
  wechatpay,
} satisfies Record<ChannelId, Channel>;

/** Channels that take no payment until the merchant has configured its own account with them (in that mode). */
const needsMerchantAccount = {
  sandbox: false,
  alipay: true,
  wechatpay: true,
} satisfies Record<ChannelId, boolean>;

/** Whether an enabled channel can take payments; ids Till does not know pass through (nothing offers them). */
export function channelReady(id: string, hasCredentials: boolean): boolean {
  return !isChannelId(id) || !needsMerchantAccount[id] || hasCredentials;
}

export function isChannelId(value: unknown): value is ChannelId {
  return typeof value === 'string' && (CHANNEL_IDS as readonly string[]).includes(value);
}

export function channelOf(id: ChannelId): Channel {
  return channels[id] as Channel;
}
