/**
 * The fake's control API (JSON, unauthenticated, local only) for tests and the demo: pay a trade
 * and get (or deliver) its callback, settle refunds, send a probe, switch the signing key, add
 * merchants, arm faults. Plus the pages a payer sees.
 */

import { h5Page, messagePage, scanPage } from './pages.ts';
import { buildProbe, type Callback, chinaTime, deliver, nowSeconds, verifyPaySign } from './protocol.ts';
import type { FakeState, FaultKind, Refund, SigningMode, Trade } from './state.ts';
import { paymentCallback, payTrade, refundable, refundCallback, refundView, transactionView } from './trades.ts';
import { isObject, type Json } from './validation.ts';

const FAULT_KINDS: readonly FaultKind[] = [
  'system_error',
  'lose_answer',
  'unsigned_answer',
  'bad_answer_signature',
  'refund_processing',
  'refund_refused',
  'drop_callback',
  'tamper_amount',
  'foreign_currency',
  'garbled_resource',
];

const problem = (status: number, code: string, message: string): Response =>
  Response.json({ code, message }, { status });

async function jsonBody(request: Request): Promise<Json> {
  const text = await request.text();
  if (!text) return {};
  const parsed: unknown = JSON.parse(text);
  if (!isObject(parsed)) throw new Error('the body must be a JSON object');
  return parsed;
}

const optionalString = (body: Json, key: string): string | undefined =>
  typeof body[key] === 'string' ? (body[key] as string) : undefined;

function tradeSummary(state: FakeState, trade: Trade): Json {
  return {
    out_trade_no: trade.out_trade_no,
    mchid: trade.mchid,
    appid: trade.appid,
    trade_type: trade.trade_type,
    state: trade.state,
    closed: trade.state === 'CLOSED',
    total: trade.total,
    description: trade.description,
    notify_url: trade.notify_url,
    time_expire: trade.time_expire,
    transaction_id: trade.transaction_id,
    openid: trade.openid,
    scene_info: trade.scene_info,
    refundable: trade.state === 'SUCCESS' || trade.state === 'REFUND' ? refundable(state, trade) : 0,
    refunds: state.refundsOf(trade.out_trade_no).map(refundView),
  };
}

/** The callback, posted (with retries) when the caller asked for delivery. */
async function withCallback(
  state: FakeState,
  mchid: string,
  subject: string,
  callback: Callback,
  send: boolean,
  extra: Json,
): Promise<Response> {
  const delivery = send ? await deliver(state, mchid, subject, callback) : undefined;
  return Response.json({ ...extra, ...callback, ...(delivery ? { delivery } : {}) });
}

async function pay(state: FakeState, trade: Trade, openid: string | undefined, send: boolean): Promise<Response> {
  const paid = payTrade(trade, openid);
  if (!paid.ok) return problem(paid.status, paid.code, paid.message);
  return withCallback(state, trade.mchid, trade.out_trade_no, paymentCallback(state, trade), send, {
    trade: transactionView(trade),
  });
}

async function settleRefund(state: FakeState, refund: Refund, body: Json, send: boolean): Promise<Response> {
  const status = optionalString(body, 'status') ?? (refund.status === 'PROCESSING' ? 'SUCCESS' : refund.status);
  if (status !== 'SUCCESS' && status !== 'CLOSED' && status !== 'ABNORMAL')
    return problem(400, 'PARAM_ERROR', 'status must be SUCCESS, CLOSED or ABNORMAL');
  if (refund.status !== status) {
    // PROCESSING ends in any state; ABNORMAL (the bank leg failed) can still end SUCCESS once the
    // merchant acts in the merchant platform. SUCCESS and CLOSED are final.
    const settles = refund.status === 'PROCESSING' || (refund.status === 'ABNORMAL' && status === 'SUCCESS');
    if (!settles) return problem(409, 'INVALID_REQUEST', `the refund is ${refund.status} already`);
    refund.status = status;
    if (status === 'SUCCESS') refund.success_time = chinaTime(nowSeconds());
    // Each change of state is a new callback event; a resent callback of the same state keeps its id.
    refund.event_id = null;
  }
  const trade = state.trades.get(refund.out_trade_no);
  const notifyUrl = refund.notify_url ?? trade?.notify_url;
  if (!notifyUrl) return problem(409, 'INVALID_REQUEST', 'the refund has no notify_url');
  return withCallback(state, refund.mchid, refund.out_trade_no, refundCallback(state, refund, notifyUrl), send, {
    refund: refundView(refund),
  });
}

/** Answers a /_fake/… or page request, or null when the path is not one of them. */
export async function handleControl(state: FakeState, request: Request): Promise<Response | null> {
  const url = new URL(request.url);
  const { pathname: path } = url;
  const method = request.method;
  const send = url.searchParams.get('deliver') === '1';

  if (method === 'POST' && path === '/_fake/merchants') {
    const body = await jsonBody(request);
    const [mchid, serialNo, publicKey, apiV3Key] = ['mchid', 'serial_no', 'public_key', 'api_v3_key'].map((key) =>
      optionalString(body, key),
    );
    if (!mchid || !serialNo || !publicKey || !apiV3Key)
      return problem(400, 'PARAM_ERROR', 'mchid, serial_no, public_key and api_v3_key are required');
    state.addMerchant({ mchid, serialNo, publicKey, apiV3Key, appid: optionalString(body, 'appid') ?? null });
    return Response.json({ mchid, serial_no: serialNo.toUpperCase() }, { status: 201 });
  }
  if (method === 'POST' && path === '/_fake/mode') {
    const body = await jsonBody(request);
    const signing = body.signing;
    if (signing !== 'public_key' && signing !== 'certificate')
      return problem(400, 'PARAM_ERROR', 'signing must be public_key or certificate');
    const mchid = optionalString(body, 'mchid');
    if (mchid) state.signingByMchid.set(mchid, signing as SigningMode);
    else state.defaultSigning = signing as SigningMode;
    return Response.json({ signing, mchid: mchid ?? null, serial: state.signerFor(mchid ?? '').serial });
  }
  if (path === '/_fake/faults') {
    if (method === 'DELETE') {
      state.faults.length = 0;
      return new Response(null, { status: 204 });
    }
    if (method === 'GET') return Response.json({ faults: state.faults });
    const body = await jsonBody(request);
    const kind = body.kind as FaultKind;
    if (!FAULT_KINDS.includes(kind))
      return problem(400, 'PARAM_ERROR', `kind must be one of ${FAULT_KINDS.join(', ')}`);
    const times = typeof body.times === 'number' && body.times > 0 ? Math.min(body.times, 100) : 1;
    const amount = typeof body.amount === 'number' ? body.amount : undefined;
    for (let i = 0; i < times; i++) {
      state.faults.push({
        kind,
        mchid: optionalString(body, 'mchid'),
        match: optionalString(body, 'match'),
        code: optionalString(body, 'code'),
        amount,
      });
    }
    return Response.json({ armed: times, kind }, { status: 201 });
  }

  const tradeRoute = /^\/_fake\/trades\/([^/]+)(\/pay)?$/.exec(path);
  if (tradeRoute) {
    const trade = state.trades.get(decodeURIComponent(tradeRoute[1]!));
    if (!trade) return problem(404, 'ORDER_NOT_EXIST', 'no such out_trade_no');
    if (!tradeRoute[2] && method === 'GET') return Response.json(tradeSummary(state, trade));
    if (tradeRoute[2] && method === 'POST')
      return pay(state, trade, optionalString(await jsonBody(request), 'openid'), send);
  }
  const refundRoute = /^\/_fake\/refunds\/([^/]+)(\/notify)?$/.exec(path);
  if (refundRoute) {
    const refund = state.refunds.get(decodeURIComponent(refundRoute[1]!));
    if (!refund) return problem(404, 'RESOURCE_NOT_EXISTS', 'no such out_refund_no');
    if (!refundRoute[2] && method === 'GET') return Response.json(refundView(refund));
    if (refundRoute[2] && method === 'POST') return settleRefund(state, refund, await jsonBody(request), send);
  }
  if (method === 'POST' && path === '/_fake/probe') {
    const body = await jsonBody(request);
    const notifyUrl = optionalString(body, 'notify_url');
    if (!notifyUrl) return problem(400, 'PARAM_ERROR', 'notify_url is required');
    const mchid = optionalString(body, 'mchid') ?? '';
    return withCallback(state, mchid, notifyUrl, buildProbe(state, mchid, notifyUrl), send, {});
  }
  if (method === 'POST' && path === '/_fake/jsapi/pay') {
    // What WeChat's in-app browser does with getBrandWCPayRequest: check paySign, then pay.
    const params = await jsonBody(request);
    const prepayId = /^prepay_id=(.+)$/.exec(optionalString(params, 'package') ?? '')?.[1];
    const trade = prepayId ? state.tradeByPrepayId(prepayId) : undefined;
    if (!trade) return problem(404, 'ORDER_NOT_EXIST', 'package names no prepay_id the fake issued');
    const merchant = state.merchant(trade.mchid, trade.merchantSerial);
    const strings = Object.fromEntries(
      Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
    if (params.appId !== trade.appid || !merchant || !verifyPaySign(merchant, strings)) {
      return problem(401, 'SIGN_ERROR', 'get_brand_wcpay_request:fail 支付验证签名失败 (paySign does not verify)');
    }
    return pay(state, trade, trade.openid ?? undefined, send);
  }

  // Pages: the scanning phone, and the H5 cashier.
  const scan = /^\/_fake\/scan(?:\/([^/]+))?$/.exec(path);
  if (scan && method === 'GET') {
    const trade = scan[1]
      ? state.trades.get(decodeURIComponent(scan[1]))
      : state.tradeByCode(url.searchParams.get('pr') ?? '');
    return trade ? scanPage(trade) : messagePage('未找到订单', 'No such trade: the code is unknown or expired.');
  }
  if (path === '/h5pay' && method === 'GET') {
    const trade = state.tradeByPrepayId(url.searchParams.get('prepay_id') ?? '');
    if (trade?.trade_type !== 'MWEB')
      return messagePage('未找到订单', 'No such H5 trade: the link is unknown or expired.');
    const redirect = url.searchParams.get('redirect_url');
    return h5Page(trade, redirect && /^https?:\/\//i.test(redirect) ? redirect : null);
  }
  if (path === '/h5pay/pay' && method === 'POST') {
    const trade = state.tradeByPrepayId(optionalString(await jsonBody(request), 'prepay_id') ?? '');
    if (trade?.trade_type !== 'MWEB') return problem(404, 'ORDER_NOT_EXIST', 'no such prepay_id');
    return pay(state, trade, undefined, true);
  }
  return null;
}
