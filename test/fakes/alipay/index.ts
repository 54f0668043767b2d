/**
 * A local stand-in for the Alipay Open Platform gateway, for the worker tests, the e2e tests and
 * the demo. It checks requests the way Alipay does (signatures by alipay-sdk's own code), keeps
 * trade state, signs its answers and notifications with the fake Alipay key
 * (test/fakes/keys.ts FAKE_ALIPAY_*), and serves the cashier and QR "phone" pages.
 *
 * Gateway: POST /gateway.do (server calls), GET|POST /gateway.do (page.pay / wap.pay cashier).
 * Shopper: GET /qr/:token (scan), POST /qr/:token/pay, POST /cashier/:token/pay|cancel.
 * Control (JSON), for tests and the demo:
 *   POST /_fake/apps {app_id, public_key}           register another merchant app
 *   POST /_fake/trades/:no/scan[?notify=1]          the shopper scans: the trade opens (notify=1: with its
 *                                                   WAIT_BUYER_PAY notification)
 *   POST /_fake/trades/:no/pay[?deliver=1]          the shopper pays: {notify_url, body, headers, deliveries}
 *   POST /_fake/trades/:no/close[?deliver=1]        the trade times out unpaid
 *   GET  /_fake/trades/:no                          state, refunds, notifications
 *   POST /_fake/faults {next, method?, out_trade_no?, app_id?, sub_code?}  next: system_error | service_unavailable |
 *        business_error (40004 with sub_code) | bad_signature (the call is made, its answer's signature broken) |
 *        unsigned (the next gateway answer); drop_notification | tamper_amount (changed after signing) |
 *        misstate_amount (another total_amount, signed) (the next notification)
 */

import { type RunningFake, serve } from '../serve.ts';
import { createTrade, METHODS, type Reply } from './api.ts';
import { buildNotification, deliver, notificationView } from './notify.ts';
import { cashierPage, errorPage, resultPage } from './pages.ts';
import { type GatewayRequest, mergedParams, readGatewayRequest } from './request.ts';
import { FakeApp, signedAnswer } from './sdk.ts';
import { openTrade, payAndNotify, payTrade, returnUrlOf, type ShopperResult, timeOutTrade } from './shopper.ts';
import { FAULT_KINDS, FakeState, type FaultKind, type Trade } from './state.ts';

const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });

const PAGE_METHODS: Record<string, 'page' | 'wap'> = { 'alipay.trade.page.pay': 'page', 'alipay.trade.wap.pay': 'wap' };

function tradeView(trade: Trade) {
  return {
    app_id: trade.appId,
    out_trade_no: trade.outTradeNo,
    trade_no: trade.tradeNo,
    method: trade.method,
    exists: trade.status !== null,
    trade_status: trade.status,
    total_amount: trade.totalAmount,
    subject: trade.subject,
    notify_url: trade.notifyUrl,
    return_url: trade.returnUrl,
    quit_url: trade.quitUrl,
    qr_url: `/qr/${trade.token}`,
    refunds: trade.refunds.map((r) => ({ out_request_no: r.outRequestNo, amount: r.amount, at: r.at })),
    refunded: trade.refunds.reduce((sum, r) => sum + r.amount, 0),
    notifications: trade.notifications.map(notificationView),
  };
}

async function readJsonBody(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (!text) return {};
  const parsed = JSON.parse(text) as unknown;
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

export function alipayFakeHandler(state = new FakeState()): (request: Request) => Promise<Response> {
  /** A server call's answer, signed unless a queued fault says otherwise. */
  function serverCall(request: GatewayRequest, origin: string): Response {
    const key = `${request.method.replaceAll('.', '_')}_response`;
    const handler = METHODS[request.method];
    if (!handler)
      return new Response(
        signedAnswer(key, {
          code: '40002',
          msg: 'Invalid Arguments',
          sub_code: 'isv.invalid-method',
          sub_msg: `不存在的方法名 ${request.method}`,
        }),
      );
    const where = {
      method: request.method,
      outTradeNo: typeof request.biz.out_trade_no === 'string' ? request.biz.out_trade_no : undefined,
      appId: request.app.appId,
    };
    const detail = state.takeFaultDetail(
      ['system_error', 'service_unavailable', 'business_error', 'bad_signature', 'unsigned'],
      where,
    );
    const fault = detail?.kind;
    let reply: Reply;
    if (fault === 'system_error')
      reply = { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.SYSTEM_ERROR', sub_msg: '系统错误' };
    else if (fault === 'service_unavailable')
      reply = {
        code: '20000',
        msg: 'Service Currently Unavailable',
        sub_code: 'isp.unknow-error',
        sub_msg: '系统繁忙',
      };
    else if (fault === 'business_error')
      reply = {
        code: '40004',
        msg: 'Business Failed',
        sub_code: detail?.subCode ?? 'ACQ.TRADE_STATUS_ERROR',
        sub_msg: 'refused by a test fault',
      };
    else reply = handler(state, request, origin);
    const sign = fault === 'bad_signature' ? 'corrupt' : fault === 'unsigned' ? false : 'good';
    return new Response(signedAnswer(key, reply, sign), { headers: { 'content-type': 'text/html;charset=utf-8' } });
  }

  /** A page.pay / wap.pay link opened in the browser: the shopper "logs in" and sees the cashier. */
  function cashier(request: GatewayRequest): Response {
    const trade = createTrade(state, request, PAGE_METHODS[request.method]!);
    if ('code' in trade) return errorPage(trade.code, String(trade.sub_code), String(trade.sub_msg));
    const opened = openTrade(trade);
    if (!opened.ok) return resultPage(opened.message, 'Go back to the shop and start again.', false);
    if (trade.status !== 'WAIT_BUYER_PAY')
      return resultPage('Nothing to pay', `This payment is ${trade.status}.`, false);
    return cashierPage(trade, `/cashier/${trade.token}/pay`, trade.quitUrl ?? trade.returnUrl);
  }

  async function gateway(request: Request, origin: string): Promise<Response> {
    const params = await mergedParams(request);
    if (!params)
      return new Response(
        signedAnswer(
          'error_response',
          {
            code: '40002',
            msg: 'Invalid Arguments',
            sub_code: 'isv.invalid-parameter',
            sub_msg: 'a parameter is given twice, or the body is not a form',
          },
          false,
        ),
      );
    const read = readGatewayRequest(state, params);
    const browser = read.ok
      ? read.request.method in PAGE_METHODS
      : (read.method ?? '') in PAGE_METHODS || request.method === 'GET';
    if (!read.ok) {
      if (browser) return errorPage(read.error.code, read.error.sub_code, read.error.sub_msg);
      const key = read.signable && read.method ? `${read.method.replaceAll('.', '_')}_response` : 'error_response';
      return new Response(signedAnswer(key, read.error, read.signable ? 'good' : false));
    }
    if (browser) return cashier(read.request);
    return serverCall(read.request, origin);
  }

  async function shopperAction(action: string, trade: Trade, viaQr: boolean): Promise<Response> {
    if (action === 'cancel') return resultPage('Payment canceled', 'You can close this page.', true);
    const paid = await payAndNotify(state, trade);
    if (!paid.ok) return resultPage(paid.message, `Order ${trade.outTradeNo}.`, false);
    const back = viaQr ? null : returnUrlOf(trade);
    if (back) return new Response(null, { status: 303, headers: { location: back } });
    return resultPage(
      'Payment complete',
      viaQr ? 'Return to the shop on your computer.' : 'You can close this page.',
      true,
    );
  }

  async function control(request: Request, path: string[]): Promise<Response> {
    const [, resource, id, action] = path;
    if (request.method === 'POST' && resource === 'apps') {
      const body = await readJsonBody(request);
      if (typeof body.app_id !== 'string' || typeof body.public_key !== 'string')
        return json({ error: 'app_id and public_key are required' }, 400);
      state.apps.set(body.app_id, new FakeApp(body.app_id, body.public_key));
      return json({ app_id: body.app_id });
    }
    if (request.method === 'POST' && resource === 'faults') {
      const body = await readJsonBody(request);
      if (!FAULT_KINDS.includes(body.next as FaultKind))
        return json({ error: `next must be one of ${FAULT_KINDS.join(', ')}` }, 400);
      state.addFault({
        kind: body.next as FaultKind,
        ...(typeof body.method === 'string' ? { method: body.method } : {}),
        ...(typeof body.out_trade_no === 'string' ? { outTradeNo: body.out_trade_no } : {}),
        ...(typeof body.sub_code === 'string' ? { subCode: body.sub_code } : {}),
        ...(typeof body.app_id === 'string' ? { appId: body.app_id } : {}),
      });
      return json({ queued: body.next });
    }
    if (resource !== 'trades' || !id) return json({ error: 'unknown control endpoint' }, 404);
    const trade = state.tradeByNo(decodeURIComponent(id));
    if (!trade) return json({ error: `no trade ${id}: the merchant never asked for it` }, 404);
    if (request.method === 'GET' && action === undefined) return json(tradeView(trade));
    if (request.method !== 'POST') return json({ error: 'use POST' }, 405);
    let result: ShopperResult;
    if (action === 'scan') {
      result = openTrade(trade);
      // Alipay notifies WAIT_BUYER_PAY only for apps that ask for it; ?notify=1 builds that notification.
      if (result.ok && new URL(request.url).searchParams.get('notify') === '1')
        result = { ...result, notification: buildNotification(state, trade) };
    } else if (action === 'pay') result = payTrade(state, trade);
    else if (action === 'close') result = timeOutTrade(state, trade);
    else return json({ error: `unknown action ${action}` }, 404);
    if (!result.ok) return json({ error: result.message, trade: tradeView(trade) }, result.status);
    const note = result.notification;
    if (note && new URL(request.url).searchParams.get('deliver') === '1') await deliver(state, trade, note);
    return json({ trade: tradeView(trade), ...(note ? notificationView(note) : { notify_url: null, body: null }) });
  }

  return async (request) => {
    const url = new URL(request.url);
    const path = url.pathname.split('/').filter(Boolean);
    if (url.pathname === '/gateway.do' && (request.method === 'POST' || request.method === 'GET'))
      return gateway(request, url.origin);
    if (path[0] === '_fake') return control(request, path);
    if ((path[0] === 'qr' || path[0] === 'cashier') && path[1]) {
      const trade = state.tradeByToken(path[1]);
      if (!trade) return resultPage('Unknown code', 'This QR code or payment link is not known.', false);
      const viaQr = path[0] === 'qr';
      if (request.method === 'GET' && viaQr && path[2] === undefined) {
        const opened = openTrade(trade);
        if (!opened.ok) return resultPage(opened.message, 'Ask the shop for a new code.', false);
        if (trade.status !== 'WAIT_BUYER_PAY')
          return resultPage('Nothing to pay', `This payment is ${trade.status}.`, false);
        return cashierPage(trade, `/qr/${trade.token}/pay`, null);
      }
      if (request.method === 'POST' && (path[2] === 'pay' || path[2] === 'cancel'))
        return shopperAction(path[2], trade, viaQr);
    }
    return new Response('not found', { status: 404 });
  };
}

export function startAlipayFake(options: { port: number }): Promise<RunningFake> {
  return serve(options.port, alipayFakeHandler());
}
