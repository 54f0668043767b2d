/**
 * Where channels report outcomes: `/v1/channels/<channel>/notify/<order>`. The order's object
 * has the channel's adapter verify the notification with the merchant's own credentials for
 * the order's mode, applies it, and the channel hears the answer it expects.
 */
import type { CHANNEL_ROUTES } from '../../../shared/api/routes/checkout.ts';
import { TillError } from '../../../shared/errors.ts';
import { orderStub } from '../../base/order-stub.ts';
import { channelOf, isChannelId } from '../../channels/registry.ts';
import { answerNotification } from '../channel-answer.ts';
import { originOf } from '../input.ts';
import type { Handlers } from '../mount.ts';

/** Channels post small forms or JSON; anything larger is not a notification. */
const MAX_NOTIFICATION_BYTES = 64 * 1024;

export const channelNotifyHandlers: Handlers<typeof CHANNEL_ROUTES> = {
  async channelNotify(c, { params }) {
    const channelId = params.channel;
    if (!isChannelId(channelId)) throw new TillError('not_found', `Unknown channel: ${channelId}`);
    const orderId = params.order;
    const bytes = await c.req.arrayBuffer();
    if (bytes.byteLength > MAX_NOTIFICATION_BYTES) {
      throw new TillError('body_too_large', 'The notification is too large');
    }
    // Signatures cover these exact bytes; forms and JSON alike are UTF-8 text.
    const body = new TextDecoder().decode(bytes);
    // The answer, in the channel's words, is decided in channel-answer.ts.
    return answerNotification(channelOf(channelId), { channel: channelId, order: orderId }, () =>
      orderStub(c.env, orderId).receiveNotification(channelId, {
        body,
        headers: [...c.req.raw.headers.entries()],
        origin: originOf(c),
      }),
    );
  },
};
