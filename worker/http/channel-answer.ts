/**
 * The answer a channel gets for a notification (`POST /v1/channels/:channel/notify/:order`), in
 * the channel's own words (`acknowledge`). Whatever Till could verify gets "received, stop": it
 * was applied, was a resend, or can never apply (the order object logged it). A bad signature is
 * the sender's problem and gets the 401 envelope. Anything that failed on Till's side (the order
 * or merchant object unreachable, storage) gets the channel's "send it again".
 */
import { TillError } from '../../shared/errors.ts';
import type { Result } from '../base/result.ts';
import type { Channel } from '../channels/types.ts';
import type { NotificationReceipt } from '../orders/notifications.ts';

export async function answerNotification(
  channel: Pick<Channel, 'acknowledge'>,
  where: { channel: string; order: string },
  receive: () => Promise<Result<NotificationReceipt>>,
): Promise<Response> {
  let result: Result<NotificationReceipt>;
  try {
    result = await receive();
  } catch (error) {
    console.error('channel notification failed on our side; the channel will send it again', {
      ...where,
      error: (error as Error)?.name,
    });
    return channel.acknowledge(false);
  }
  if (result.ok) return channel.acknowledge(true);
  if (result.error.code === 'invalid_signature') throw new TillError(result.error.code, result.error.message);
  // An order id Till never made: nothing will ever take this notification.
  const gone = result.error.code === 'order_not_found';
  console.warn('channel notification not applied', { ...where, code: result.error.code });
  return channel.acknowledge(gone);
}
