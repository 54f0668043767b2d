/**
 * WeChat Pay inside WeChat. Embedded, the frame cannot reach WeChat's bridge (it lives in the
 * top window), so it asks the loader, which answers with the sheet's `err_msg`; opened on its
 * own, the frame is the top window and asks the bridge itself.
 */
import { hostMessageOf } from '../protocol/messages.ts';
import { invokeWechatPay, type WechatPayResult, wechatPayResultOf } from '../protocol/wechat-bridge.ts';
import { hasHost, type PostToHost } from './host-bridge.ts';

/** The loader's answer, or null for any other message (see `hostMessageOf`). */
export function hostReply(
  event: Pick<MessageEvent, 'source' | 'origin' | 'data'>,
  parent: unknown,
  hostOrigin: string,
): WechatPayResult | null {
  const message = hostMessageOf(event, parent, hostOrigin);
  return message?.type === 'wechat_pay_result' ? wechatPayResultOf(message.err_msg) : null;
}

export function payWithWechat(
  params: Record<string, string>,
  hostOrigin: string | null,
  post: PostToHost,
): Promise<WechatPayResult> {
  return new Promise((resolve) => {
    if (!hasHost(hostOrigin)) return invokeWechatPay(params, (errMsg) => resolve(wechatPayResultOf(errMsg)));
    const onMessage = (event: MessageEvent): void => {
      const result = hostReply(event, window.parent, hostOrigin);
      if (!result) return;
      removeEventListener('message', onMessage);
      resolve(result);
    };
    addEventListener('message', onMessage);
    post({ type: 'wechat_pay', payload: { params } });
  });
}
