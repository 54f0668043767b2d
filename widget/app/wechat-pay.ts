/**
 * WeChat Pay inside WeChat. Embedded, the frame cannot reach WeChat's bridge (it lives in the
 * top window), so it asks the loader, which answers with the sheet's result; opened on its own,
 * the frame is the top window and asks the bridge itself.
 */
import { invokeWechatPay, type WechatPayResult } from '../loader/wechat-bridge.ts';
import { hasHost, type PostToHost } from './host-bridge.ts';

/** The loader's answer, or null for any other message: only from the parent, on the host's origin, in this shape. */
export function hostReply(event: Pick<MessageEvent, 'source' | 'origin' | 'data'>, parent: unknown, hostOrigin: string): WechatPayResult | null {
  const data = event.data as { source?: unknown; type?: unknown; result?: unknown } | null;
  if (event.source !== parent || event.origin !== hostOrigin || data?.source !== 'till-host' || data.type !== 'wechat_pay_result') return null;
  return data.result === 'ok' || data.result === 'cancel' || data.result === 'fail' ? data.result : null;
}

export function payWithWechat(params: Record<string, string>, hostOrigin: string | null, post: PostToHost): Promise<WechatPayResult> {
  return new Promise((resolve) => {
    if (!hasHost(hostOrigin)) return invokeWechatPay(params, resolve);
    const onMessage = (event: MessageEvent): void => {
      const result = hostReply(event, window.parent, hostOrigin);
      if (!result) return;
      removeEventListener('message', onMessage);
      resolve(result);
    };
    addEventListener('message', onMessage);
    post('wechat_pay', { params });
  });
}
