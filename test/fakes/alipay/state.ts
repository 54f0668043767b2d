/**
 * What the fake Alipay remembers: registered apps, the trades merchants asked for, their
 * refunds and notifications, and faults queued by tests. All in memory, per fake instance.
 */
import { randomBytes } from 'node:crypto';
import { ALIPAY_APP_ID, ALIPAY_APP_PUBLIC_KEY } from '../keys.ts';
import { FakeApp, type Params } from './sdk.ts';

export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED' | 'TRADE_FINISHED';
export type PayMethod = 'precreate' | 'page' | 'wap';

export interface Refund {
  outRequestNo: string;
  /** Fen. */
  amount: number;
  at: string;
}

export interface Notification {
  notifyUrl: string;
  form: Params;
  body: string;
  /** What each delivery attempt got back (status and the first bytes of the body). */
  deliveries: Array<{ status: number | null; answer: string }>;
  dropped: boolean;
}

export interface Trade {
  appId: string;
  outTradeNo: string;
  method: PayMethod;
  /** As the merchant sent it ("88.88") and in fen. */
  totalAmount: string;
  total: number;
  subject: string;
  notifyUrl: string | null;
  returnUrl: string | null;
  quitUrl: string | null;
  /** Epoch ms of time_expire, if given. */
  expiresAt: number | null;
  /** Opaque token of the QR code / cashier page. */
  token: string;
  /** null until the shopper scans the QR code or opens the cashier: Alipay has no trade before. */
  status: TradeStatus | null;
  tradeNo: string;
  createdAt: string | null;
  paidAt: string | null;
  closedAt: string | null;
  refunds: Refund[];
  notifications: Notification[];
}

export type FaultKind =
  | 'system_error'
  | 'service_unavailable'
  | 'business_error'
  | 'bad_signature'
  | 'unsigned'
  | 'drop_notification'
  | 'tamper_amount'
  | 'misstate_amount';
export const FAULT_KINDS: readonly FaultKind[] = [
  'system_error',
  'service_unavailable',
  'business_error',
  'bad_signature',
  'unsigned',
  'drop_notification',
  'tamper_amount',
  'misstate_amount',
];

export interface Fault {
  kind: FaultKind;
  /** For business_error: the ACQ.* sub_code answered. */
  subCode?: string;
  /** Only a call of this gateway method (for gateway faults) or for this trade (notification faults). */
  method?: string;
  outTradeNo?: string;
  /** Only for this app: tests running side by side each fault their own app. */
  appId?: string;
}

/** Where a fault may strike: the gateway method, the trade, the app. */
export interface FaultScope {
  method?: string | undefined;
  outTradeNo?: string | undefined;
  appId?: string | undefined;
}

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

/** Beijing wall-clock time, Alipay's clock, written independently of the adapter's helper. */
export function beijingNow(at = Date.now()): string {
  return new Date(at + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** Epoch ms of a `yyyy-MM-dd HH:mm:ss` Beijing time, or null when malformed. */
export function parseBeijing(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return null;
  const at = Date.parse(`${text.replace(' ', 'T')}+08:00`);
  return Number.isNaN(at) ? null : at;
}

const AMOUNT = /^(0|[1-9]\d{0,8})(\.\d{1,2})?$/;

/** "88.88" → 8888 fen; null when not an Alipay amount (at most 2 decimals, 0.01 to 100000000). */
export function parseYuan(text: unknown): number | null {
  if (typeof text !== 'string' || !AMOUNT.test(text)) return null;
  const [whole = '0', fraction = ''] = text.split('.');
  const fen = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return fen >= 1 && fen <= 10_000_000_000 ? fen : null;
}

export const yuan = (fen: number): string => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

export const randomDigits = (length: number): string =>
  Array.from(randomBytes(length), (byte) => String(byte % 10)).join('');

export class FakeState {
  readonly apps = new Map<string, FakeApp>([[ALIPAY_APP_ID, new FakeApp(ALIPAY_APP_ID, ALIPAY_APP_PUBLIC_KEY)]]);
  /** By `${app_id}/${out_trade_no}`: trade numbers are unique per app, as at Alipay. */
  readonly #trades = new Map<string, Trade>();
  readonly #byToken = new Map<string, Trade>();
  #faults: Fault[] = [];

  key = (appId: string, outTradeNo: string): string => `${appId}/${outTradeNo}`;

  trade(appId: string, outTradeNo: string): Trade | undefined {
    return this.#expire(this.#trades.get(this.key(appId, outTradeNo)));
  }

  /** A trade by out_trade_no whatever its app, for the control endpoints (tests use unique numbers). */
  tradeByNo(outTradeNo: string): Trade | undefined {
    for (const trade of this.#trades.values()) if (trade.outTradeNo === outTradeNo) return this.#expire(trade);
    return undefined;
  }

  tradeByToken(token: string): Trade | undefined {
    return this.#expire(this.#byToken.get(token));
  }

  add(
    trade: Omit<
      Trade,
      'token' | 'tradeNo' | 'status' | 'createdAt' | 'paidAt' | 'closedAt' | 'refunds' | 'notifications'
    >,
  ): Trade {
    const full: Trade = {
      ...trade,
      token: randomBytes(12).toString('hex'),
      tradeNo: `${beijingNow().slice(0, 10).replaceAll('-', '')}22001${randomDigits(15)}`,
      status: null,
      createdAt: null,
      paidAt: null,
      closedAt: null,
      refunds: [],
      notifications: [],
    };
    this.#trades.set(this.key(trade.appId, trade.outTradeNo), full);
    this.#byToken.set(full.token, full);
    return full;
  }

  /** Alipay closes a trade nobody paid at its time_expire. */
  #expire(trade: Trade | undefined): Trade | undefined {
    if (trade?.status === 'WAIT_BUYER_PAY' && trade.expiresAt !== null && trade.expiresAt <= Date.now()) {
      trade.status = 'TRADE_CLOSED';
      trade.closedAt = beijingNow(trade.expiresAt);
    }
    return trade;
  }

  addFault(fault: Fault): void {
    this.#faults.push(fault);
  }

  /** Takes the first queued fault of these kinds that applies to this method / trade. */
  takeFault(kinds: readonly FaultKind[], where: FaultScope): FaultKind | null {
    return this.takeFaultDetail(kinds, where)?.kind ?? null;
  }

  takeFaultDetail(kinds: readonly FaultKind[], where: FaultScope): Fault | null {
    const index = this.#faults.findIndex(
      (fault) =>
        kinds.includes(fault.kind) &&
        (fault.method === undefined || fault.method === where.method) &&
        (fault.outTradeNo === undefined || fault.outTradeNo === where.outTradeNo) &&
        (fault.appId === undefined || fault.appId === where.appId),
    );
    if (index < 0) return null;
    return this.#faults.splice(index, 1)[0]!;
  }
}
