/**
 * The fake's cryptography, done by alipay-sdk's own code so the fake checks Till against
 * Alipay's implementation rather than against Till's: `rsaCheck` verifies what merchants sign
 * (with the merchant app's public key), `checkNotifySignV2` re-checks every notification the
 * fake signs, and the SDK's SHA256withRSA signer (util.ts `signatureV3`, not exported by the
 * package, hence the path) signs as Alipay. One "Alipay" key pair signs for every app.
 */
import { AlipaySdk } from 'alipay-sdk';
import { signatureV3 } from '../../../node_modules/alipay-sdk/dist/esm/util.js';
import { FAKE_ALIPAY_PRIVATE_KEY, FAKE_ALIPAY_PUBLIC_KEY } from '../keys.ts';

export type Params = Record<string, string>;

/** A registered merchant app: its id and the app public key it uploaded. */
export class FakeApp {
  readonly appId: string;
  readonly #sdk: AlipaySdk;

  constructor(appId: string, appPublicKey: string) {
    this.appId = appId;
    // The SDK verifies with `alipayPublicKey`; here that is the merchant's key, the fake being Alipay.
    this.#sdk = new AlipaySdk({
      appId,
      privateKey: FAKE_ALIPAY_PRIVATE_KEY,
      keyType: 'PKCS8',
      alipayPublicKey: appPublicKey,
    });
  }

  /** Whether the merchant signed `content` (SHA256withRSA, base64). */
  verify(content: string, sign: string): boolean {
    try {
      return this.#sdk.rsaCheck(content, sign, 'RSA2');
    } catch {
      return false;
    }
  }
}

const alipaySide = new AlipaySdk({
  appId: 'fake',
  privateKey: FAKE_ALIPAY_PRIVATE_KEY,
  keyType: 'PKCS8',
  alipayPublicKey: FAKE_ALIPAY_PUBLIC_KEY,
});

/** Signs as Alipay (the fake key). */
export const alipaySign = (content: string): string => signatureV3(content, FAKE_ALIPAY_PRIVATE_KEY);

/** The gateway's rule for requests: drop `sign` and empty values, sort, join raw. */
export function requestContent(params: Params): string {
  return Object.keys(params)
    .filter((key) => key !== 'sign' && params[key] !== '')
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

/** Notifications and return redirects: the "V1" rule, `sign_type` left out too. */
export function notificationContent(params: Params): string {
  return requestContent(Object.fromEntries(Object.entries(params).filter(([key]) => key !== 'sign_type')));
}

/** Adds sign_type and sign to a notification or return form, and has the SDK confirm it verifies. */
export function signNotification(fields: Params): Params {
  const form: Params = { ...fields, sign_type: 'RSA2' };
  form.sign = alipaySign(notificationContent(form));
  if (!alipaySide.checkNotifySignV2({ ...form }))
    throw new Error('alipay-sdk does not accept the fake notification signature');
  return form;
}

/**
 * A gateway answer as Alipay writes it: the inner object serialized with `/` escaped as `\/`,
 * signed over exactly that text. `sign: false` leaves the signature out; `corrupt` breaks it.
 */
export function signedAnswer(
  key: string,
  inner: Record<string, unknown>,
  sign: 'good' | 'corrupt' | false = 'good',
): string {
  const raw = JSON.stringify(inner).replaceAll('/', '\\/');
  if (sign === false) return `{"${key}":${raw}}`;
  let signature = alipaySign(raw);
  if (sign === 'corrupt') signature = (signature.startsWith('A') ? 'B' : 'A') + signature.slice(1);
  return `{"${key}":${raw},"sign":${JSON.stringify(signature)}}`;
}
