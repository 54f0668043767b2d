/**
 * Where channels report outcomes: `/v1/channels/<channel>/notify/<order>`, or for processors with
 * one webhook endpoint per account `/v1/channels/<channel>/events`. The order's object
 * has the channel's adapter verify the notification with the merchant's own credentials for
 * the order's mode, applies it, and the channel hears the answer it expects.
 */

import type { Context } from 'hono';
import type { CHANNEL_ROUTES } from '../../../shared/api/routes/checkout.ts';
import { TillError } from '../../../shared/errors.ts';
import type { AppEnv } from '../../base/env.ts';
import { orderStub } from '../../base/order-stub.ts';
import { channelOf, isChannelId } from '../../channels/registry.ts';
import { answerNotification } from '../channel-answer.ts';
import { originOf } from '../input.ts';
import type { Handlers } from '../mount.ts';

/** Channels post small forms or JSON; anything larger is not a notification. */
const MAX_NOTIFICATION_BYTES = 64 * 1024;

/** The raw body as text: signatures cover these exact bytes; forms and JSON alike are UTF-8. */
async function notificationBody(c: Context<AppEnv>): Promise<string> {
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > MAX_NOTIFICATION_BYTES) throw new TillError('body_too_large', 'The notification is too large');
  return new TextDecoder().decode(bytes);
}

/** The order a processor's payment was made for, from the index its order object writes once paid. */
async function orderOfPayment(db: D1Database, channel: string, ref: string): Promise<string | null> {
  const row = await db
    .prepare('SELECT order_id FROM payment_refs WHERE channel = ?1 AND ref = ?2')
    .bind(channel, ref)
    .first<{ order_id: string }>();
  return row?.order_id ?? null;
}

export const channelNotifyHandlers: Handlers<typeof CHANNEL_ROUTES> = {
  // One endpoint per processor account: each event names its order, whose object verifies it.
  async channelEvents(c, { params }) {
    const channelId = params.channel;
    const channel = isChannelId(channelId) ? channelOf(channelId) : null;
    if (!isChannelId(channelId) || !channel?.notificationOrder)
      throw new TillError('not_found', `No account-wide events for channel ${channelId}`);
    const body = await notificationBody(c);
    const notification = { body, headers: c.req.raw.headers };
    const paymentRef = channel.notificationPayment?.(notification) ?? null;
    const orderId =
      channel.notificationOrder(notification) ??
      (paymentRef === null ? null : await orderOfPayment(c.env.DB, channelId, paymentRef));
    // An event about no order of Till's (the account has other business): acknowledged, nothing done.
    if (orderId === null) return channel.acknowledge(true);
    return answerNotification(channel, { channel: channelId, order: orderId }, () =>
      orderStub(c.env, orderId).receiveNotification(channelId, {
        body,
        headers: [...c.req.raw.headers.entries()],
        origin: originOf(c),
      }),
    );
  },

  async channelNotify(c, { params }) {
    const channelId = params.channel;
    if (!isChannelId(channelId)) throw new TillError('not_found', `Unknown channel: ${channelId}`);
    const orderId = params.order;
    const body = await notificationBody(c);
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
