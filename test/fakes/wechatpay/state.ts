/**
 * What the fake WeChat Pay remembers: merchants (keyed by merchant id and API certificate
 * serial, as WeChat looks them up), trades by out_trade_no, refunds by out_refund_no, which key
 * signs answers, and one-shot faults the tests arm.
 */
import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { Rsa } from 'wechatpay-axios-plugin';
import {
  FAKE_WECHAT_CERT_PRIVATE_KEY,
  FAKE_WECHAT_CERT_SERIAL,
  FAKE_WECHAT_PLATFORM_PRIVATE_KEY,
  FAKE_WECHAT_PUBLIC_KEY_ID,
  WECHAT_API_V3_KEY,
  WECHAT_APPID,
  WECHAT_MCHID,
  WECHAT_MERCHANT_PUBLIC_KEY,
  WECHAT_MERCHANT_SERIAL,
} from '../keys.ts';

export interface FakeMerchant {
  mchid: string;
  serialNo: string;
  publicKey: KeyObject;
  apiV3Key: string;
  /** The AppID bound to the merchant id; null accepts any. */
  appid: string | null;
}

/** public_key: WeChat Pay public key mode (PUB_KEY_ID_…); certificate: the platform certificate's key and serial. */
export type SigningMode = 'public_key' | 'certificate';

export interface PlatformSigner {
  serial: string;
  privateKey: KeyObject;
}

export type TradeType = 'NATIVE' | 'MWEB' | 'JSAPI';
export type TradeState = 'NOTPAY' | 'SUCCESS' | 'REFUND' | 'CLOSED';

export interface Trade {
  mchid: string;
  appid: string;
  /** The merchant key that opened it: a JSAPI paySign is checked with that key. */
  merchantSerial: string;
  out_trade_no: string;
  trade_type: TradeType;
  description: string;
  total: number;
  notify_url: string;
  time_expire: string | null;
  /** Unix seconds from time_expire; null without one. */
  expires_at: number | null;
  state: TradeState;
  /** The request's significant fields, so a repeated identical request is answered again. */
  fingerprint: string;
  /** code_url, h5_url or prepay_id as first answered. */
  answer: Record<string, string>;
  prepay_id: string;
  code: string;
  openid: string | null;
  /** As the merchant sent it (H5: the payer's IP and platform). */
  scene_info: Record<string, unknown> | null;
  transaction_id: string | null;
  success_time: string | null;
  /** The payment callback's id, kept so a resent callback is the same event. */
  event_id: string | null;
  created_at: number;
}

export type RefundStatus = 'SUCCESS' | 'PROCESSING' | 'CLOSED' | 'ABNORMAL';

export interface Refund {
  mchid: string;
  out_refund_no: string;
  refund_id: string;
  out_trade_no: string;
  transaction_id: string;
  refund: number;
  total: number;
  status: RefundStatus;
  notify_url: string | null;
  create_time: string;
  success_time: string | null;
  event_id: string | null;
}

export type FaultKind =
  /** The next matching API call answers 500 SYSTEM_ERROR without doing anything. */
  | 'system_error'
  /** The next matching API call is carried out, but its answer is lost (500): a retry must not act twice. */
  | 'lose_answer'
  /** The next matching 2xx answer goes out with no signature headers (a forged answer looks like this). */
  | 'unsigned_answer'
  /** The next matching 2xx answer is signed over other bytes. */
  | 'bad_answer_signature'
  /** The next refund stays PROCESSING until /_fake/refunds/:no/notify settles it. */
  | 'refund_processing'
  /** The next refund is refused with `code` (NOT_ENOUGH by default). */
  | 'refund_refused'
  /** The next delivered callback is never posted. */
  | 'drop_callback'
  /** The next payment callback says `amount` was paid (properly signed and encrypted). */
  | 'tamper_amount'
  /** The next payment callback names USD as its currency (properly signed and encrypted). */
  | 'foreign_currency'
  /** The next payment callback's resource decrypts to text that is not JSON (properly signed and encrypted). */
  | 'garbled_resource';

export interface Fault {
  kind: FaultKind;
  /** Only calls by this merchant id. */
  mchid?: string | undefined;
  /** Only calls whose path (or callbacks whose trade number) contains this text. */
  match?: string | undefined;
  code?: string | undefined;
  amount?: number | undefined;
}

const platformSigners: Record<SigningMode, PlatformSigner> = {
  public_key: { serial: FAKE_WECHAT_PUBLIC_KEY_ID, privateKey: Rsa.from(FAKE_WECHAT_PLATFORM_PRIVATE_KEY, 'private') },
  certificate: { serial: FAKE_WECHAT_CERT_SERIAL, privateKey: Rsa.from(FAKE_WECHAT_CERT_PRIVATE_KEY, 'private') },
};

export const randomDigits = (length: number): string =>
  Array.from(randomBytes(length), (byte) => String(byte % 10)).join('');
export const randomAlnum = (length: number): string =>
  Array.from(
    randomBytes(length),
    (byte) => '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[byte % 62],
  ).join('');

export class FakeState {
  readonly merchants = new Map<string, FakeMerchant>();
  readonly trades = new Map<string, Trade>();
  readonly refunds = new Map<string, Refund>();
  readonly faults: Fault[] = [];
  defaultSigning: SigningMode = 'public_key';
  readonly signingByMchid = new Map<string, SigningMode>();

  constructor() {
    this.addMerchant({
      mchid: WECHAT_MCHID,
      serialNo: WECHAT_MERCHANT_SERIAL,
      publicKey: WECHAT_MERCHANT_PUBLIC_KEY,
      apiV3Key: WECHAT_API_V3_KEY,
      appid: WECHAT_APPID,
    });
  }

  addMerchant(input: {
    mchid: string;
    serialNo: string;
    publicKey: string;
    apiV3Key: string;
    appid: string | null;
  }): void {
    const serialNo = input.serialNo.toUpperCase();
    this.merchants.set(`${input.mchid}:${serialNo}`, {
      ...input,
      serialNo,
      publicKey: Rsa.from(input.publicKey, 'public'),
    });
  }

  merchant(mchid: string, serialNo: string): FakeMerchant | undefined {
    return this.merchants.get(`${mchid}:${serialNo.toUpperCase()}`);
  }

  /** Any registered key of the merchant id: callbacks need its APIv3 key, which is per merchant id. */
  anyMerchant(mchid: string): FakeMerchant | undefined {
    for (const merchant of this.merchants.values()) if (merchant.mchid === mchid) return merchant;
    return undefined;
  }

  signerFor(mchid: string): PlatformSigner {
    return platformSigners[this.signingByMchid.get(mchid) ?? this.defaultSigning];
  }

  /** Takes the first armed fault of one of `kinds` that matches, disarming it. */
  takeFault(kinds: readonly FaultKind[], mchid: string | null, subject: string): Fault | null {
    const index = this.faults.findIndex(
      (fault) =>
        kinds.includes(fault.kind) &&
        (!fault.mchid || fault.mchid === mchid) &&
        (!fault.match || subject.includes(fault.match)),
    );
    if (index < 0) return null;
    return this.faults.splice(index, 1)[0]!;
  }

  tradeByPrepayId(prepayId: string): Trade | undefined {
    for (const trade of this.trades.values()) if (trade.prepay_id === prepayId) return trade;
    return undefined;
  }

  tradeByCode(code: string): Trade | undefined {
    for (const trade of this.trades.values()) if (trade.code === code) return trade;
    return undefined;
  }

  refundsOf(outTradeNo: string): Refund[] {
    return [...this.refunds.values()].filter((refund) => refund.out_trade_no === outTradeNo);
  }
}
