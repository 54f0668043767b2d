/**
 * Field rules of WeChat Pay's order and refund requests, answered the way WeChat answers them:
 * 400 PARAM_ERROR with `detail: {field, value, issue, location: 'body'}`.
 */
import { wechatError } from './protocol.ts';
import type { TradeType } from './state.ts';

export type Json = Record<string, unknown>;

export class ParamError extends Error {
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, value: unknown, issue: string) {
    super(issue);
    this.field = field;
    this.value = value;
  }

  toResponse(): Response {
    return wechatError(400, 'PARAM_ERROR', `${this.field.slice(1).replaceAll('/', '.')}: ${this.message}`, {
      field: this.field,
      value: this.value ?? null,
      issue: this.message,
      location: 'body',
    });
  }
}

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function string(
  body: Json,
  field: string,
  rule: { min?: number; max: number; pattern?: RegExp; optional?: boolean },
): string | undefined {
  const value = field
    .split('/')
    .slice(1)
    .reduce<unknown>((at, key) => (isObject(at) ? at[key] : undefined), body);
  if (value === undefined && rule.optional) return undefined;
  if (typeof value !== 'string')
    throw new ParamError(field, value, value === undefined ? '字段缺失 (required)' : '应为字符串 (must be a string)');
  const length = Array.from(value).length;
  if (length < (rule.min ?? 1) || length > rule.max)
    throw new ParamError(
      field,
      value,
      `长度应为 ${rule.min ?? 1} 至 ${rule.max} (length ${rule.min ?? 1}-${rule.max})`,
    );
  if (rule.pattern && !rule.pattern.test(value)) throw new ParamError(field, value, '格式不正确 (format)');
  return value;
}

/** HTTPS, or plain HTTP to this machine (for local runs); no query string. */
const NOTIFY_URL = /^(?:https:\/\/[^/?#\s]+|http:\/\/(?:127\.0\.0\.1|localhost)(?::\d+)?)\/[^?#\s]*$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})$/;
const IP = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f:]{2,39})$/;

export const notifyUrlRule = { max: 255, pattern: NOTIFY_URL };

export interface OrderRequest {
  appid: string;
  mchid: string;
  description: string;
  out_trade_no: string;
  notify_url: string;
  time_expire: string | null;
  expires_at: number | null;
  total: number;
  openid: string | null;
  scene: Json | null;
}

function amountTotal(body: Json): number {
  const amount = body.amount;
  if (!isObject(amount)) throw new ParamError('/amount', amount, '字段缺失 (required)');
  const total = amount.total;
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 1)
    throw new ParamError('/amount/total', total, '应为正整数，单位为分 (integer fen ≥ 1)');
  if (amount.currency !== undefined && amount.currency !== 'CNY')
    throw new ParamError('/amount/currency', amount.currency, '仅支持 CNY');
  return total;
}

/** Reads a Native / H5 / JSAPI order, throwing ParamError at the first field WeChat would refuse. */
export function readOrder(type: TradeType, body: Json, now: number): OrderRequest {
  const appid = string(body, '/appid', { max: 32, pattern: /^wx[0-9A-Za-z]{16}$/ })!;
  const mchid = string(body, '/mchid', { max: 32, pattern: /^\d+$/ })!;
  const description = string(body, '/description', { max: 127 })!;
  const out_trade_no = string(body, '/out_trade_no', { min: 6, max: 32, pattern: /^[0-9A-Za-z_\-|*]+$/ })!;
  const notify_url = string(body, '/notify_url', notifyUrlRule)!;
  const time_expire = string(body, '/time_expire', { max: 64, pattern: RFC3339, optional: true }) ?? null;
  const expires_at = time_expire === null ? null : Math.floor(Date.parse(time_expire) / 1000);
  if (expires_at !== null && expires_at <= now)
    throw new ParamError('/time_expire', time_expire, '订单失效时间已过 (must be in the future)');
  string(body, '/attach', { max: 128, optional: true });
  const total = amountTotal(body);
  let openid: string | null = null;
  let scene: Json | null = isObject(body.scene_info) ? body.scene_info : null;
  if (type === 'JSAPI') openid = string(body, '/payer/openid', { max: 128 })!;
  if (type === 'MWEB') {
    string(body, '/scene_info/payer_client_ip', { max: 45, pattern: IP });
    string(body, '/scene_info/h5_info/type', { max: 32, pattern: /^(?:iOS|Android|Wap)$/ });
    scene = body.scene_info as Json;
  }
  return { appid, mchid, description, out_trade_no, notify_url, time_expire, expires_at, total, openid, scene };
}

export interface RefundRequest {
  out_trade_no: string;
  out_refund_no: string;
  refund: number;
  total: number;
  notify_url: string | null;
}

export function readRefund(body: Json): RefundRequest {
  if (body.out_trade_no === undefined && body.transaction_id !== undefined) {
    throw new ParamError(
      '/transaction_id',
      body.transaction_id,
      '本模拟器只支持 out_trade_no (the fake refunds by out_trade_no)',
    );
  }
  const out_trade_no = string(body, '/out_trade_no', { min: 6, max: 32, pattern: /^[0-9A-Za-z_\-|*]+$/ })!;
  const out_refund_no = string(body, '/out_refund_no', { max: 64, pattern: /^[0-9A-Za-z_\-|*@]+$/ })!;
  string(body, '/reason', { max: 80, optional: true });
  const notify_url = string(body, '/notify_url', { ...notifyUrlRule, optional: true }) ?? null;
  const amount = body.amount;
  if (!isObject(amount)) throw new ParamError('/amount', amount, '字段缺失 (required)');
  const integer = (field: 'refund' | 'total'): number => {
    const value = amount[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      throw new ParamError(`/amount/${field}`, value, '应为正整数，单位为分 (integer fen ≥ 1)');
    return value;
  };
  if (amount.currency !== 'CNY')
    throw new ParamError('/amount/currency', amount.currency, '必填，仅支持 CNY (required: CNY)');
  return { out_trade_no, out_refund_no, refund: integer('refund'), total: integer('total'), notify_url };
}
