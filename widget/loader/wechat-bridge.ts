/**
 * WeChat Pay inside WeChat's browser: the page that WeChat shows (the top window, where the
 * bridge lives) asks for the payment sheet. Shared by the loader (embedded checkout) and the
 * frame (a checkout opened on its own inside WeChat).
 */
export type WechatPayResult = 'ok' | 'cancel' | 'fail';

interface WeixinJSBridge {
  invoke(name: string, params: Record<string, string>, callback: (response: { err_msg?: unknown }) => void): void;
}

/** The sheet answers `get_brand_wcpay_request:ok` / `:cancel` / `:fail` (older clients add more to the last). */
export const wechatPayResultOf = (errMsg: unknown): WechatPayResult =>
  typeof errMsg === 'string' && /:(ok|cancel)$/.test(errMsg) ? (errMsg.slice(errMsg.lastIndexOf(':') + 1) as WechatPayResult) : 'fail';

export function invokeWechatPay(params: Record<string, string>, done: (result: WechatPayResult) => void): void {
  const invoke = (): void => {
    try {
      (window as { WeixinJSBridge?: WeixinJSBridge }).WeixinJSBridge!.invoke('getBrandWCPayRequest', params, (response) =>
        done(wechatPayResultOf(response?.err_msg)),
      );
    } catch {
      done('fail');
    }
  };
  // WeChat injects the bridge after the page starts; it announces itself with this event.
  if ('WeixinJSBridge' in window) invoke();
  else document.addEventListener('WeixinJSBridgeReady', invoke, { once: true });
}
