/**
 * What Till signs for WeChat Pay with the merchant's API key (SHA256withRSA, base64): each API
 * request (the `Authorization` header) and the JSAPI `paySign` handed to WeChat's in-app browser.
 * Pure functions, so the doc vectors check them in node.
 */
import { randomBase62 } from '../../../shared/encoding.ts';
import { nowMs } from '../../base/clock.ts';
import { signRsaSha256 } from '../rsa.ts';

export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

/** Lines each end with `\n`, the last one included: WeChat's rule for every signed message. */
export const joinedByLineFeed = (...pieces: Array<string | number>): string =>
  pieces.map((piece) => `${piece}\n`).join('');

/**
 * `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`. `url` is the path plus query exactly as sent
 * (a query left out of it is the classic "POST works, GET answers 401"); `body` is the exact
 * JSON bytes sent, empty for GET.
 */
export const requestMessage = (method: string, url: string, timestamp: number, nonce: string, body: string): string =>
  joinedByLineFeed(method.toUpperCase(), url, timestamp, nonce, body);

export interface MerchantSigner {
  mchid: string;
  /** Serial of the merchant API certificate (40 hex). */
  serialNo: string;
  /** PKCS#8 (or PKCS#1) PEM of apiclient_key.pem. */
  privateKey: string;
}

export interface SignatureSeed {
  /** Unix seconds. */
  timestamp: number;
  nonce: string;
}

export const freshSeed = (now = nowMs()): SignatureSeed => ({
  timestamp: Math.floor(now / 1000),
  nonce: randomBase62(32),
});

/** The `Authorization` header value for one request. */
export async function authorization(
  signer: MerchantSigner,
  method: string,
  url: string,
  body: string,
  seed: SignatureSeed,
): Promise<string> {
  const signature = await signRsaSha256(
    signer.privateKey,
    requestMessage(method, url, seed.timestamp, seed.nonce, body),
  );
  return (
    `${AUTH_SCHEME} mchid="${signer.mchid}",nonce_str="${seed.nonce}",timestamp="${seed.timestamp}",` +
    `serial_no="${signer.serialNo}",signature="${signature}"`
  );
}

/** The parameters of `WeixinJSBridge.invoke('getBrandWCPayRequest', …)`: all strings, `signType` unsigned. */
export interface JsapiParams extends Record<string, string> {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

/** `appId\ntimeStamp\nnonceStr\npackage\n`, signed with the merchant key. */
export const paySignMessage = (appId: string, timeStamp: string, nonceStr: string, pkg: string): string =>
  joinedByLineFeed(appId, timeStamp, nonceStr, pkg);

export async function jsapiParams(
  privateKey: string,
  appId: string,
  prepayId: string,
  seed: SignatureSeed,
): Promise<JsapiParams> {
  const timeStamp = String(seed.timestamp);
  const pkg = `prepay_id=${prepayId}`;
  const paySign = await signRsaSha256(privateKey, paySignMessage(appId, timeStamp, seed.nonce, pkg));
  return { appId, timeStamp, nonceStr: seed.nonce, package: pkg, signType: 'RSA', paySign };
}
