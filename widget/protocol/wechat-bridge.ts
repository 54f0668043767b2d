/**
 * WeChat Pay inside WeChat's browser: the page that WeChat shows (the top window, where the
 * bridge lives) asks for the payment sheet. The loader asks for an embedded checkout and sends
 * the answer back (`wechat_pay_result`); a checkout opened on its own inside WeChat asks itself.
 */
interface WeixinJSBridge {
  invoke(name: string, params: Record<string, string>, callback: (response?: { err_msg?: string }) => void): void;
}

/** Hands back the sheet's raw `err_msg` (undefined when the bridge threw). */
export function invokeWechatPay(params: Record<string, string>, done: (errMsg: string | undefined) => void): void {
  const invoke = (): void => {
    try {
      // Typed as there: were it gone again, the call throws and the catch answers.
      (window as unknown as { WeixinJSBridge: WeixinJSBridge }).WeixinJSBridge.invoke(
        'getBrandWCPayRequest',
        params,
        (response) => done(response?.err_msg),
      );
    } catch {
      done(undefined);
    }
  };
  // WeChat injects the bridge after the page starts; it announces itself with this event.
  if ('WeixinJSBridge' in window) invoke();
  else document.addEventListener('WeixinJSBridgeReady', invoke, { once: true });
}

export type WechatPayResult = 'ok' | 'cancel' | 'fail';

/** The sheet answers `get_brand_wcpay_request:ok` / `:cancel` / `:fail` (older clients add more to the last). */
export const wechatPayResultOf = (errMsg: unknown): WechatPayResult =>
  typeof errMsg === 'string' && /:(ok|cancel)$/.test(errMsg)
    ? (errMsg.slice(errMsg.lastIndexOf(':') + 1) as WechatPayResult)
    : 'fail';
