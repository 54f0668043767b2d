/** The shopper context the widget reports, from real user agents. */
import { describe, expect, it } from 'vitest';
import { contextFor, webviewOf } from '../../widget/app/shopper-context.ts';

const UA = {
  wechatIos:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
    'Mobile/15E148 MicroMessenger/8.0.49(0x18003129) NetType/WIFI Language/zh_CN',
  wechatAndroid:
    'Mozilla/5.0 (Linux; Android 13; V2227A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 ' +
    'MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64',
  wechatWindows:
    'Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 ' +
    'Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x63090a13) XWEB/9129 Flue',
  alipayAndroid:
    'Mozilla/5.0 (Linux; U; Android 12; zh-CN; PFDM00 Build/SP1A.210812.016) AppleWebKit/537.36 ' +
    '(KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.65 Mobile Safari/537.36 ' +
    'AlipayChannelId/5136 NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:393|0|2.75) ' +
    'AliApp(AP/10.5.36.8000) AlipayClient/10.5.36.8000 Language/zh-Hans useStatusBar/true isConcaveScreen/true ' +
    'Region/CNAriver/1.0.0',
  alipayIos:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
    'Mobile/15E148 Ariver/1.1.0 AliApp(AP/10.5.20.6000) Nebula WK RVKType(0) ' +
    'AlipayDefined(nt:WIFI,ws:390|780|3.0) AlipayClient/10.5.20.6000 Language/zh-Hans Region/CN',
  iphoneSafari:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
    'Version/17.4 Mobile/15E148 Safari/604.1',
  androidChrome:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Chrome/124.0.0.0 Mobile Safari/537.36',
  desktopChrome:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  macSafari:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
    'Version/17.4 Safari/605.1.15',
};

describe('contextFor', () => {
  it.each([
    ['wechatIos', 'wechat'],
    ['wechatAndroid', 'wechat'],
    // WeChat's desktop apps say MicroMessenger too: their browser is WeChat's, not the system's.
    ['wechatWindows', 'wechat'],
    ['alipayAndroid', 'alipay'],
    ['alipayIos', 'alipay'],
    ['iphoneSafari', 'mobile'],
    ['androidChrome', 'mobile'],
    ['desktopChrome', 'desktop'],
    ['macSafari', 'desktop'],
  ] as const)('%s → %s', (name, context) => {
    expect(contextFor(UA[name], false)).toBe(context);
  });

  it('takes a small touch screen for a phone, whatever the user agent says', () => {
    // iPadOS and some Android tablets in "desktop mode" send a desktop user agent.
    expect(contextFor(UA.macSafari, true)).toBe('mobile');
  });

  it('puts the in-app browsers first, even on a small touch screen', () => {
    expect(contextFor(UA.wechatIos, true)).toBe('wechat');
    expect(contextFor(UA.alipayIos, true)).toBe('alipay');
  });
});

describe('webviews', () => {
  const androidWebView =
    'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Version/4.0 Chrome/130.0.0.0 Mobile Safari/537.36';
  const iosWkWebView =
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
  const iosChrome =
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
    'CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1';

  it("knows Android's WebView by `; wv)` and iOS's WKWebView by the missing Safari token", () => {
    expect(webviewOf(androidWebView, false)).toBe('android');
    expect(webviewOf(iosWkWebView, false)).toBe('ios');
    expect(webviewOf(UA.wechatIos, false)).toBe('ios');
  });

  it('counts browsers as browsers, Chrome and Firefox on iOS included', () => {
    for (const userAgent of [UA.iphoneSafari, UA.androidChrome, UA.desktopChrome, iosChrome])
      expect(webviewOf(userAgent, false)).toBeNull();
  });

  it('takes a native bridge on the host page as a webview whatever the user agent says', () => {
    expect(webviewOf(UA.desktopChrome, true)).toBe('app');
  });
});
