/**
 * Every channel Till speaks. Adding one is a folder plus one line here; the `satisfies` makes a
 * missed line a type error wherever a ChannelId is used.
 */
import type { Channel } from './types.ts';
import { sandbox } from './sandbox/index.ts';

export const CHANNEL_IDS = ['sandbox'] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];

export const channels = {
  sandbox,
} satisfies Record<ChannelId, Channel>;

export function isChannelId(value: unknown): value is ChannelId {
  return typeof value === 'string' && (CHANNEL_IDS as readonly string[]).includes(value);
}

export function channelOf(id: ChannelId): Channel {
  return channels[id] as Channel;
}
