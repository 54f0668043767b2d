/**
 * WeChat Pay inside WeChat's browser: the page that WeChat shows (the top window, where the
 * bridge lives) asks for the payment sheet. Shared by the loader (embedded checkout) and the
 * frame (a checkout opened on its own inside WeChat), which reads the answer.
 */
interface WeixinJSBridge {
  invoke(name: string, params: Record<string, string>, callback: (response: { err_msg?: unknown }) => void): void;
}

/** Hands back the sheet's raw `err_msg` (undefined when the bridge threw). */
export function invokeWechatPay(params: Record<string, string>, done: (errMsg: unknown) => void): void {
  const invoke = (): void => {
    try {
      (window as { WeixinJSBridge?: WeixinJSBridge }).WeixinJSBridge!.invoke(
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
