/** Where channels report outcomes. The adapter verifies the channel's own signature first. */
import { Hono } from 'hono';
import { TillError } from '../../shared/errors.ts';
import { channelOf, isChannelId } from '../channels/registry.ts';
import type { AppEnv } from '../env.ts';
import { originOf } from '../http.ts';
import { orderStub } from './orders-api.ts';

export const channelNotify = new Hono<AppEnv>().post('/:channel/notify', async (c) => {
  const channelId = c.req.param('channel');
  if (!isChannelId(channelId)) throw new TillError('not_found', `Unknown channel: ${channelId}`);
  const channel = channelOf(channelId);
  const note = await channel.parseNotification({ env: c.env, origin: originOf(c) }, c.req.raw);
  const result = await orderStub(c.env, note.orderId).applyNotification(note);
  if (!result.ok) {
    // A notification for an order we do not hold is final; anything else the channel retries.
    const gone = result.error.code === 'order_not_found';
    console.warn('channel notification not applied', { channel: channelId, order: note.orderId, code: result.error.code });
    return channel.acknowledge(gone);
  }
  return channel.acknowledge(true);
});
