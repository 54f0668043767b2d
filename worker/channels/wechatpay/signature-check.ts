/**
 * Checks WeChat Pay's signature on an API answer or a callback: SHA256withRSA over
 * `TIMESTAMP\nNONCE\nRAW_BODY\n` by the WeChat key named in `Wechatpay-Serial` (a public key id,
 * or a platform certificate serial). Pure, so node tests check it with a fixed clock.
 */
import { ReasonError } from '../../../shared/reason-error.ts';
import { verifyRsaSha256 } from '../rsa.ts';
import { AUTH_SCHEME, joinedByLineFeed } from './signing.ts';

/** WeChat rejects requests further than this from its clock; Till holds its answers to the same. */
export const SIGNATURE_WINDOW_SECONDS = 300;

/** WeChat sends these deliberately broken signatures to see that merchants check signatures. */
export const PROBE_SIGNATURE_PREFIX = 'WECHATPAY/SIGNTEST/';

export const HEADER = {
  timestamp: 'Wechatpay-Timestamp',
  nonce: 'Wechatpay-Nonce',
  signature: 'Wechatpay-Signature',
  serial: 'Wechatpay-Serial',
  signatureType: 'Wechatpay-Signature-Type',
} as const;

export type SignatureRejection =
  | 'missing_headers'
  | 'probe'
  | 'unknown_serial'
  | 'stale_timestamp'
  | 'unsupported_type'
  | 'bad_signature';

const REASONS: Record<SignatureRejection, string> = {
  missing_headers: 'lacks the Wechatpay-Timestamp, -Nonce, -Signature or -Serial header',
  probe: 'is a WECHATPAY/SIGNTEST/ probe, whose signature is deliberately invalid',
  unknown_serial: 'is signed by a WeChat Pay key that is not among the configured platform_keys',
  stale_timestamp: `has a Wechatpay-Timestamp more than ${SIGNATURE_WINDOW_SECONDS} s from now`,
  unsupported_type: `has a Wechatpay-Signature-Type other than ${AUTH_SCHEME}`,
  bad_signature: 'has a signature that does not verify',
};

export class WechatpaySignatureError extends ReasonError<SignatureRejection> {
  override name = 'WechatpaySignatureError';

  constructor(reason: SignatureRejection) {
    super(reason, REASONS[reason]);
  }
}

export interface VerificationKey {
  serial: string;
  /** SPKI PEM or an X.509 certificate. */
  public_key: string;
}

/** Certificate serials compare without regard to case; public key ids exactly. */
const sameSerial = (a: string, b: string): boolean =>
  /^[0-9A-Fa-f]{40}$/.test(a) ? a.toUpperCase() === b.toUpperCase() : a === b;

/**
 * Throws WechatpaySignatureError unless `body` (the raw bytes as received, as text) carries a
 * valid signature by one of `keys`, made within the window around `now` (Unix seconds).
 */
export async function verifyWechatpaySignature(
  keys: readonly VerificationKey[],
  headers: Headers,
  body: string,
  now: number,
): Promise<void> {
  const timestamp = headers.get(HEADER.timestamp);
  const nonce = headers.get(HEADER.nonce);
  const signature = headers.get(HEADER.signature);
  const serial = headers.get(HEADER.serial);
  if (!timestamp || !nonce || !signature || !serial) throw new WechatpaySignatureError('missing_headers');
  // A probe is refused before anything else: it must never count as verified, whatever the key.
  if (signature.startsWith(PROBE_SIGNATURE_PREFIX)) throw new WechatpaySignatureError('probe');
  const type = headers.get(HEADER.signatureType);
  if (type !== null && type !== AUTH_SCHEME) throw new WechatpaySignatureError('unsupported_type');
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS) {
    throw new WechatpaySignatureError('stale_timestamp');
  }
  const key = keys.find((candidate) => sameSerial(candidate.serial, serial));
  if (!key) throw new WechatpaySignatureError('unknown_serial');
  if (!(await verifyRsaSha256(key.public_key, joinedByLineFeed(timestamp, nonce, body), signature))) {
    throw new WechatpaySignatureError('bad_signature');
  }
}
