/**
 * Where channels report outcomes: `/v1/channels/<channel>/notify/<order>`. The order's object
 * has the channel's adapter verify the notification with the merchant's own credentials for
 * the order's mode, applies it, and the channel hears the answer it expects.
 */

import type { CHANNEL_ROUTES } from '../../../shared/api/routes/checkout.ts';
import { TillError } from '../../../shared/errors.ts';
import { orderStub } from '../../base/order-stub.ts';
import { channelOf, isChannelId } from '../../channels/registry.ts';
import type { Handlers } from '../mount.ts';
import { originOf } from '../request.ts';

/** Channels post small forms or JSON; anything larger is not a notification. */
const MAX_NOTIFICATION_BYTES = 64 * 1024;

export const channelNotifyHandlers: Handlers<typeof CHANNEL_ROUTES> = {
  async channelNotify(c, { params }) {
    const channelId = params.channel;
    if (!isChannelId(channelId)) throw new TillError('not_found', `Unknown channel: ${channelId}`);
    const orderId = params.order;
    const bytes = await c.req.arrayBuffer();
    if (bytes.byteLength > MAX_NOTIFICATION_BYTES)
      throw new TillError('body_too_large', 'The notification is too large');
    // Signatures cover these exact bytes; forms and JSON alike are UTF-8 text.
    const body = new TextDecoder().decode(bytes);
    const channel = channelOf(channelId);
    const result = await orderStub(c.env, orderId).receiveNotification(channelId, {
      body,
      headers: [...c.req.raw.headers.entries()],
      origin: originOf(c),
    });
    if (!result.ok) {
      // A refused signature is the sender's problem: the error envelope says which. A notification
      // for an order or attempt we do not hold, or about a refund made outside Till (in the
      // channel's own merchant portal), is final; anything else the channel retries.
      if (result.error.code === 'invalid_signature') throw new TillError(result.error.code, result.error.message);
      const gone = result.error.code === 'order_not_found' || result.error.code === 'refund_not_found';
      console.warn('channel notification not applied', { channel: channelId, order: orderId, code: result.error.code });
      return channel.acknowledge(gone);
    }
    return channel.acknowledge(true);
  },
};
