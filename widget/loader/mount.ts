import { writeLaunchFragment } from '../protocol/launch-fragment.ts';
import { frameMessageOf, type HostMessage, wrapForFrame } from '../protocol/messages.ts';
import { ANDROID_INTERFACE, relayToNativeApp } from '../protocol/native-bridge.ts';
import { invokeWechatPay } from '../protocol/wechat-bridge.ts';
import { orderIdFromToken } from './client-token.ts';
import { callSafely, type TillEvent, type TillEventListener } from './events.ts';

/** Checked inside the frame (widget/app/appearance.ts), which ignores what it does not know. */
export interface Appearance {
  theme?: 'light' | 'dark' | 'auto';
  variables?: Record<string, string>;
}

/** What `update` may change on a mounted checkout without reloading it. */
export interface UpdatableOptions {
  /** A BCP 47 tag (`fr-CH` falls back to `fr`, then English); the shopper's languages when omitted or empty. */
  locale?: string;
  appearance?: Appearance;
}

export interface MountOptions extends UpdatableOptions {
  /** The order's `client_token`, created by the merchant's server. */
  token: string;
  /**
   * Where a channel's cashier page sends the shopper back (this page when omitted), e.g. an app's
   * deep link inside a webview: an http(s) URL on one of the merchant's allowed origins.
   */
  returnUrl?: string;
  /** The payer's openid for your WeChat AppID (WeChat OAuth); WeChat Pay inside WeChat needs it. */
  wechatOpenId?: string;
  /** The name of the Android app's JavaScript interface that receives every event (`TillAndroid` by default). */
  androidInterface?: string;
  onEvent?: TillEventListener;
}

export interface CheckoutHandle {
  /** Changes the language or the appearance in place. */
  update(options: UpdatableOptions): void;
  /** Removes the checkout and its listeners. */
  destroy(): void;
  /** Listens to one event type (`paid`, `failed`, …) or `*` for all; returns an unsubscribe. */
  on(type: TillEvent['type'] | '*', listener: TillEventListener): () => void;
}

export function mountFrame(parent: ParentNode, options: MountOptions, workerOrigin: string): CheckoutHandle {
  const token = typeof options?.token === 'string' ? options.token : '';
  const orderId = orderIdFromToken(token);
  if (!orderId) throw new TypeError('Till.mount: `token` must be the client_token of an order');
  const android = options.androidInterface || ANDROID_INTERFACE;

  // `page`: a cashier page that refuses to be framed returns the shopper here, to this page.
  // `native`: the app's bridge lives in this window, out of the frame's sight.
  const fragment = writeLaunchFragment({
    token,
    origin: location.origin,
    page: location.href.split('#')[0],
    locale: options.locale,
    return_url: options.returnUrl,
    openid: options.wechatOpenId,
    appearance: options.appearance && JSON.stringify(options.appearance),
    native: relayToNativeApp(null, android) ? '1' : null,
  });
  const iframe = document.createElement('iframe');
  // The token travels in the fragment so it never reaches a server log or a Referer header.
  iframe.src = `${workerOrigin}/v1/frame?order=${encodeURIComponent(orderId)}#${fragment}`;
  iframe.title = 'Till checkout';
  iframe.allow = 'payment';
  // Important so a merchant's global `iframe { … }` rule cannot squash the checkout. (CSSOM, which
  // a strict style-src allows, unlike a style attribute.) Until the frame reports its real height,
  // 120px leaves room for its loading state.
  iframe.style.cssText = 'border:0!important;width:100%!important;display:block!important;height:120px!important';
  const tellFrame = (message: HostMessage): void =>
    iframe.contentWindow?.postMessage(wrapForFrame(message), workerOrigin);
  // Every `update` so far, merged, told again at each `ready`: one sent before the frame listened
  // would be lost, and a frame back from a 3-D Secure page starts from the mount options.
  const updated: UpdatableOptions = {};

  let listeners: [type: string, listener: TillEventListener][] = [];
  const emit = (event: TillEvent): void => {
    if (options.onEvent) callSafely(options.onEvent, event);
    for (const [type, listener] of listeners) if (type === event.type || type === '*') callSafely(listener, event);
    relayToNativeApp(event, android);
  };

  const onMessage = (event: MessageEvent): void => {
    // Only our own frame, on the worker's origin, may speak for the checkout.
    const message = frameMessageOf(event, iframe.contentWindow, workerOrigin);
    if (!message) return;
    if (message.type === 'resize') {
      // An infinite height is no CSS length, so the style ignores it.
      iframe.style.setProperty('height', `${Math.ceil(message.payload.height)}px`, 'important');
    } else if (message.type === 'redirect') {
      // Wallets' cashier pages and banks' 3-D Secure pages may refuse to be framed: the whole page goes there.
      location.assign(message.payload.url);
    } else if (message.type === 'wechat_pay') {
      // WeChat's payment sheet can only be asked for by the page WeChat shows, not by a frame.
      invokeWechatPay(message.payload.params, (errMsg) => tellFrame({ type: 'wechat_pay_result', err_msg: errMsg }));
    } else {
      if (message.type === 'ready') tellFrame({ type: 'update', options: updated });
      emit(message);
    }
  };

  window.addEventListener('message', onMessage);
  parent.appendChild(iframe);

  return {
    update(changes) {
      // Through JSON: only data crosses, and an option left out (undefined) is left as it is.
      Object.assign(updated, JSON.parse(JSON.stringify({ locale: changes?.locale, appearance: changes?.appearance })));
      tellFrame({ type: 'update', options: updated });
    },
    destroy() {
      window.removeEventListener('message', onMessage);
      listeners = [];
      iframe.remove();
    },
    on(type, listener) {
      const entry: [string, TillEventListener] = [type, listener];
      listeners = [...listeners, entry];
      return () => {
        listeners = listeners.filter((other) => other !== entry);
      };
    },
  };
}
