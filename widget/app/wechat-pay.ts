/**
 * WeChat Pay inside WeChat. Embedded, the frame cannot reach WeChat's bridge (it lives in the
 * top window), so it asks the loader, which answers with the sheet's `err_msg`; opened on its
 * own, the frame is the top window and asks the bridge itself.
 */
import { invokeWechatPay } from '../loader/wechat-bridge.ts';
import { fromHost, hasHost, type PostToHost } from './host-bridge.ts';

export type WechatPayResult = 'ok' | 'cancel' | 'fail';

/** The sheet answers `get_brand_wcpay_request:ok` / `:cancel` / `:fail` (older clients add more to the last). */
export const wechatPayResultOf = (errMsg: unknown): WechatPayResult =>
  typeof errMsg === 'string' && /:(ok|cancel)$/.test(errMsg)
    ? (errMsg.slice(errMsg.lastIndexOf(':') + 1) as WechatPayResult)
    : 'fail';

/** The loader's answer, or null for any other message (see `fromHost`). */
export function hostReply(
  event: Pick<MessageEvent, 'source' | 'origin' | 'data'>,
  parent: unknown,
  hostOrigin: string,
): WechatPayResult | null {
  const data = fromHost(event, parent, hostOrigin);
  return data?.type === 'wechat_pay_result' ? wechatPayResultOf(data.err_msg) : null;
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
    post('wechat_pay', { params });
  });
}
