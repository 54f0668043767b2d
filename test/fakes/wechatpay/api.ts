/** The fake's /v3 API: orders (Native, H5, JSAPI), query, close, refund and refund query. */
import { chinaTime, nowSeconds, signedAnswer, verifyRequest, wechatError } from './protocol.ts';
import { type FakeState, type Refund, randomAlnum, randomDigits, type Trade, type TradeType } from './state.ts';
import { refundable, refundView, transactionView } from './trades.ts';
import { isObject, type Json, ParamError, readOrder, readRefund } from './validation.ts';

const ORDER_PATHS: Record<string, TradeType> = { native: 'NATIVE', h5: 'MWEB', jsapi: 'JSAPI' };

interface Call {
  state: FakeState;
  mchid: string;
  serialNo: string;
  path: string;
  /** What faults match on: the path and the body's out_trade_no. */
  subject: string;
  /** Where the fake serves its pages (h5_url). */
  origin: string;
  query: URLSearchParams;
  body: Json;
}

const answer = (call: Call, status: number, value: unknown): Response =>
  signedAnswer(call.state, call.mchid, call.subject, status, value);

function createOrder(call: Call, type: TradeType): Response {
  const order = readOrder(type, call.body, nowSeconds());
  if (order.mchid !== call.mchid)
    return wechatError(
      400,
      'INVALID_REQUEST',
      'mchid 与请求头中的商户号不一致 (body mchid differs from Authorization)',
    );
  const merchant = call.state.merchant(call.mchid, call.serialNo);
  if (merchant?.appid && merchant.appid !== order.appid)
    return wechatError(400, 'APPID_MCHID_NOT_MATCH', 'appid 和 mch_id 不匹配');
  const fingerprint = JSON.stringify([
    type,
    order.appid,
    order.description,
    order.total,
    order.notify_url,
    order.openid,
  ]);
  const existing = call.state.trades.get(order.out_trade_no);
  if (existing) {
    // WeChat answers a repeated identical order again; anything else under the number is refused.
    if (existing.mchid === call.mchid && existing.fingerprint === fingerprint && existing.state === 'NOTPAY')
      return answer(call, 200, existing.answer);
    return wechatError(403, 'OUT_TRADE_NO_USED', '商户订单号重复');
  }
  const prepay_id = `wx${randomDigits(14)}${randomAlnum(20).toLowerCase()}`;
  const code = randomAlnum(16);
  const answers: Record<TradeType, Record<string, string>> = {
    NATIVE: { code_url: `weixin://wxpay/bizpayurl?pr=${code}` },
    MWEB: { h5_url: `${call.origin}/h5pay?prepay_id=${prepay_id}&package=${randomDigits(10)}` },
    JSAPI: { prepay_id },
  };
  const trade: Trade = {
    mchid: call.mchid,
    appid: order.appid,
    merchantSerial: call.serialNo,
    out_trade_no: order.out_trade_no,
    trade_type: type,
    description: order.description,
    total: order.total,
    notify_url: order.notify_url,
    time_expire: order.time_expire,
    expires_at: order.expires_at,
    state: 'NOTPAY',
    fingerprint,
    answer: answers[type],
    prepay_id,
    code,
    openid: order.openid,
    scene_info: order.scene,
    transaction_id: null,
    success_time: null,
    event_id: null,
    created_at: nowSeconds(),
  };
  call.state.trades.set(trade.out_trade_no, trade);
  return answer(call, 200, trade.answer);
}

function tradeOf(call: Call, outTradeNo: string): Trade | null {
  const trade = call.state.trades.get(outTradeNo);
  return trade && trade.mchid === call.mchid ? trade : null;
}

function queryTrade(call: Call, outTradeNo: string): Response {
  if (!call.query.get('mchid'))
    return wechatError(400, 'PARAM_ERROR', '缺少参数 mchid (query parameter mchid is required)');
  if (call.query.get('mchid') !== call.mchid)
    return wechatError(400, 'INVALID_REQUEST', 'mchid 与请求头中的商户号不一致');
  const trade = tradeOf(call, outTradeNo);
  if (!trade) return wechatError(404, 'ORDER_NOT_EXIST', '订单不存在');
  return answer(call, 200, transactionView(trade));
}

function closeTrade(call: Call, outTradeNo: string): Response {
  if (call.body.mchid !== call.mchid)
    return wechatError(400, 'PARAM_ERROR', 'mchid 缺失或与请求头不一致 (body mchid is required)');
  const trade = tradeOf(call, outTradeNo);
  if (!trade) return wechatError(404, 'ORDER_NOT_EXIST', '订单不存在');
  if (trade.state === 'SUCCESS' || trade.state === 'REFUND') return wechatError(400, 'ORDERPAID', '订单已支付');
  trade.state = 'CLOSED';
  return answer(call, 204, null);
}

function createRefund(call: Call): Response {
  const request = readRefund(call.body);
  const existing = call.state.refunds.get(request.out_refund_no);
  if (existing && existing.mchid === call.mchid) {
    // One out_refund_no refunds once: the same request is answered with the refund as it stands.
    const same =
      existing.out_trade_no === request.out_trade_no &&
      existing.refund === request.refund &&
      existing.total === request.total;
    if (same) return answer(call, 200, refundView(existing));
    return wechatError(
      400,
      'INVALID_REQUEST',
      '商户退款单号已被使用，且请求参数与原请求不一致 (out_refund_no used with other parameters)',
    );
  }
  const trade = tradeOf(call, request.out_trade_no);
  if (!trade) return wechatError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
  if (trade.state !== 'SUCCESS' && trade.state !== 'REFUND')
    return wechatError(400, 'INVALID_REQUEST', '订单未支付，不能退款 (the trade is not paid)');
  if (request.total !== trade.total)
    return wechatError(400, 'INVALID_REQUEST', '订单金额与原订单不一致 (amount.total differs from the trade)');
  if (request.refund > refundable(call.state, trade))
    return wechatError(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额 (more than is left to refund)');
  if (call.state.refundsOf(trade.out_trade_no).length >= 50) return wechatError(403, 'RULE_LIMIT', '退款次数超过限制');
  const refused = call.state.takeFault(['refund_refused'], call.mchid, call.subject);
  if (refused) return wechatError(403, refused.code ?? 'NOT_ENOUGH', '基本账户余额不足');
  const processing = call.state.takeFault(['refund_processing'], call.mchid, call.subject);
  const now = chinaTime(nowSeconds());
  const refund: Refund = {
    mchid: call.mchid,
    out_refund_no: request.out_refund_no,
    refund_id: `50${randomDigits(27)}`,
    out_trade_no: trade.out_trade_no,
    transaction_id: trade.transaction_id!,
    refund: request.refund,
    total: trade.total,
    status: processing ? 'PROCESSING' : 'SUCCESS',
    notify_url: request.notify_url,
    create_time: now,
    success_time: processing ? null : now,
    event_id: null,
  };
  call.state.refunds.set(refund.out_refund_no, refund);
  trade.state = 'REFUND';
  return answer(call, 200, refundView(refund));
}

function queryRefund(call: Call, outRefundNo: string): Response {
  const refund = call.state.refunds.get(outRefundNo);
  if (!refund || refund.mchid !== call.mchid) return wechatError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
  return answer(call, 200, refundView(refund));
}

function route(call: Call, method: string): Response {
  const { path } = call;
  const order = /^\/v3\/pay\/transactions\/(native|h5|jsapi)$/.exec(path);
  if (order && method === 'POST') return createOrder(call, ORDER_PATHS[order[1]!]!);
  const trade = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)(\/close)?$/.exec(path);
  if (trade && !trade[2] && method === 'GET') return queryTrade(call, decodeURIComponent(trade[1]!));
  if (trade?.[2] && method === 'POST') return closeTrade(call, decodeURIComponent(trade[1]!));
  if (path === '/v3/refund/domestic/refunds' && method === 'POST') return createRefund(call);
  const refund = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(path);
  if (refund && method === 'GET') return queryRefund(call, decodeURIComponent(refund[1]!));
  return wechatError(404, 'NOT_FOUND', `${method} ${path} 不存在 (the fake has no such API)`);
}

export async function handleApi(state: FakeState, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const raw = await request.text();
  if (!request.headers.get('user-agent')) return wechatError(400, 'INVALID_REQUEST', '请求头缺少 User-Agent');
  if (request.method === 'POST' && !/^application\/json\b/i.test(request.headers.get('content-type') ?? '')) {
    return wechatError(400, 'INVALID_REQUEST', 'Content-Type 须为 application/json');
  }
  const verified = verifyRequest(state, request, raw);
  if (!verified.ok) return verified.response;
  const { mchid, serialNo } = verified.merchant;
  let body: Json = {};
  if (request.method === 'POST') {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!isObject(parsed)) throw new Error('not an object');
      body = parsed;
    } catch {
      return wechatError(400, 'PARAM_ERROR', '解析请求体失败 (the body is not a JSON object)');
    }
  }
  const subject = `${url.pathname} ${typeof body.out_trade_no === 'string' ? body.out_trade_no : ''}`;
  if (state.takeFault(['system_error'], mchid, subject))
    return wechatError(500, 'SYSTEM_ERROR', '系统错误 (fault injected)');
  const call: Call = {
    state,
    mchid,
    serialNo,
    path: url.pathname,
    subject,
    origin: url.origin,
    query: url.searchParams,
    body,
  };
  let response: Response;
  try {
    response = route(call, request.method);
  } catch (error) {
    if (error instanceof ParamError) return error.toResponse();
    throw error;
  }
  // The call took effect, but its answer never reaches the caller.
  if (state.takeFault(['lose_answer'], mchid, subject))
    return wechatError(500, 'SYSTEM_ERROR', '系统繁忙 (answer lost, fault injected)');
  return response;
}
