import type { ShopperContext } from '../../shared/schemas.ts';

/**
 * The context the backend picks methods for. Inside WeChat's or Alipay's own browser only that
 * wallet's in-app flow works (WeChat blocks Alipay's pages, and WeChat Pay's H5 refuses to run
 * inside WeChat); phones get the methods that fit a phone (H5 redirects rather than a QR code).
 */
export function contextFor(userAgent: string, smallTouchScreen: boolean): ShopperContext {
  if (/MicroMessenger/i.test(userAgent)) return 'wechat';
  if (/AlipayClient/i.test(userAgent)) return 'alipay';
  return smallTouchScreen || /Mobi|Android|iPhone|iPod|HarmonyOS/i.test(userAgent) ? 'mobile' : 'desktop';
}

export const detectShopperContext = (): ShopperContext =>
  contextFor(
    navigator.userAgent,
    matchMedia('(pointer: coarse)').matches && Math.min(screen.width, screen.height) < 600,
  );

/** A mobile app's webview, where popups and new windows go nowhere; null in a browser. */
export type Webview = 'android' | 'ios' | 'app';

/**
 * Android's WebView marks itself `; wv)`; iOS's WKWebView leaves out Safari's `Safari/` token
 * (every iOS browser, Chrome and Firefox included, keeps it). React Native's WebView is one of
 * those two; an app whose webview hides its marks is known by the bridge on its host page.
 */
export function webviewOf(userAgent: string, nativeHost: boolean): Webview | null {
  if (/; wv\)/.test(userAgent)) return 'android';
  if (/iPhone|iPad|iPod/.test(userAgent) && !/Safari\//.test(userAgent)) return 'ios';
  return nativeHost ? 'app' : null;
}

export const inWebview = (): boolean => document.documentElement.dataset.webview !== undefined;
