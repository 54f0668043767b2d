/**
 * Opening, reading and closing a WeChat Pay trade. Till's attempt id is the merchant's trade
 * number (`out_trade_no`), so every later call names the trade without WeChat's transaction id.
 */
import { z } from 'zod';
import { TillError } from '../../../shared/errors.ts';
import { toWechatAmount } from '../../../shared/money.ts';
import { chinaTime } from '../china-time.ts';
import type { ChannelOutcome, StartRequest, StartResult, TradeRef } from '../types.ts';
import { WechatpayApiError, type WechatpayClient } from './api-client.ts';
import type { WechatpayInput } from './input.ts';
import { freshSeed, jsapiParams } from './signing.ts';
import { TradeStateSchema, tradeOutcome } from './trade-state.ts';

/** WeChat Pay's limit on `description`, in characters. */
const MAX_DESCRIPTION = 127;

const CodeUrlSchema = z.object({ code_url: z.string().min(1) });
const H5UrlSchema = z.object({ h5_url: z.url() });
const PrepaySchema = z.object({ prepay_id: z.string().min(1).max(64) });

const TransactionSchema = z.object({
  mchid: z.string(),
  appid: z.string(),
  out_trade_no: z.string(),
  trade_state: TradeStateSchema,
  trade_state_desc: z.string().optional(),
  amount: z.object({ total: z.number().int() }).partial().optional(),
});

function shaped<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new TillError(
      'channel_error',
      `WeChat Pay ${what} answer has an unexpected shape at ${parsed.error.issues[0]?.path.join('.') ?? '?'}`,
    );
  return parsed.data;
}

/** H5 payment wants the payer's platform; anything but iOS and Android is a mobile web browser. */
export function h5Type(userAgent: string | null): 'iOS' | 'Android' | 'Wap' {
  if (!userAgent) return 'Wap';
  if (/iPhone|iPad|iPod/i.test(userAgent)) return 'iOS';
  if (/Android/i.test(userAgent)) return 'Android';
  return 'Wap';
}

/**
 * The return URL as H5's redirect_url: without its fragment (which may carry a client token, and
 * is no business of WeChat's), and only an http(s) page: WeChat's H5 cashier does not follow an
 * app's deep link, so with one the payer stays on WeChat's result page (the payment is learned
 * from the callback either way).
 */
export function h5RedirectUrl(returnUrl: string | undefined): string | undefined {
  if (returnUrl === undefined) return undefined;
  const hash = returnUrl.indexOf('#');
  const page = hash < 0 ? returnUrl : returnUrl.slice(0, hash);
  return /^https?:\/\/./i.test(page) ? page : undefined;
}

const truncate = (text: string, max: number): string => Array.from(text).slice(0, max).join('');

const requiresAction = (
  nextAction: Extract<ChannelOutcome, { status: 'requires_action' }>['nextAction'],
): ChannelOutcome => ({
  status: 'requires_action',
  nextAction,
});

export async function startTrade(
  client: WechatpayClient,
  request: StartRequest,
  input: WechatpayInput,
  notifyUrl: string,
): Promise<StartResult> {
  const { appid, mchid, private_key } = client.credentials;
  const order = {
    appid,
    mchid,
    description: truncate(request.description, MAX_DESCRIPTION),
    out_trade_no: request.attemptId,
    time_expire: chinaTime(request.expiresAt),
    notify_url: notifyUrl,
    amount: { total: toWechatAmount(request.amount, request.currency), currency: 'CNY' },
  };
  const started = (outcome: ChannelOutcome): StartResult => ({ channelRef: request.attemptId, outcome });
  try {
    switch (input.method) {
      case 'native': {
        const { body } = await client.call('POST', '/v3/pay/transactions/native', order);
        const { code_url } = shaped(CodeUrlSchema, body, 'native');
        return started(requiresAction({ type: 'qr', payload: code_url, expires_at: request.expiresAt }));
      }
      case 'h5': {
        const ip = request.shopper.ip;
        if (!ip) {
          throw new TillError(
            'channel_not_available',
            "WeChat Pay H5 needs the payer's IP address, and this request carried none (no CF-Connecting-IP)",
          );
        }
        const sceneInfo = { payer_client_ip: ip, h5_info: { type: h5Type(request.shopper.userAgent) } };
        const { body } = await client.call('POST', '/v3/pay/transactions/h5', { ...order, scene_info: sceneInfo });
        const { h5_url } = shaped(H5UrlSchema, body, 'H5');
        // WeChat's cashier sends the payer on to redirect_url once it is done (paid or not).
        const back = h5RedirectUrl(request.returnUrl);
        const url = back ? `${h5_url}&redirect_url=${encodeURIComponent(back)}` : h5_url;
        return started(requiresAction({ type: 'redirect', url }));
      }
      case 'jsapi': {
        const { body } = await client.call('POST', '/v3/pay/transactions/jsapi', {
          ...order,
          payer: { openid: input.openid },
        });
        const { prepay_id } = shaped(PrepaySchema, body, 'JSAPI');
        const params = await jsapiParams(private_key, appid, prepay_id, freshSeed());
        return started(requiresAction({ type: 'jsapi', params }));
      }
    }
  } catch (error) {
    // A refusal is WeChat's final word on this trade number: no trade was opened, so the
    // attempt fails now. Anything that may have opened one is thrown, and the trade queried.
    if (error instanceof WechatpayApiError && !error.retryable) {
      return started({
        status: 'failed',
        failure: { code: 'channel_declined', message: `WeChat Pay refused the payment (${error.wechatCode}).` },
      });
    }
    throw error;
  }
}

const tradePath = (attemptId: string): string => `/v3/pay/transactions/out-trade-no/${encodeURIComponent(attemptId)}`;

/**
 * The trade's outcome, or null while the payer may still pay; throws channel_trade_not_found when
 * WeChat never opened it.
 */
export async function queryTrade(client: WechatpayClient, trade: TradeRef): Promise<ChannelOutcome | null> {
  const { mchid, appid } = client.credentials;
  let body: unknown;
  try {
    ({ body } = await client.call('GET', `${tradePath(trade.attemptId)}?mchid=${encodeURIComponent(mchid)}`));
  } catch (error) {
    if (error instanceof WechatpayApiError && error.wechatCode === 'ORDER_NOT_EXIST') {
      throw new TillError('channel_trade_not_found', 'WeChat Pay has no trade with this out_trade_no');
    }
    throw error;
  }
  const found = shaped(TransactionSchema, body, 'query');
  // A signed answer about another merchant's or another trade's money is not an answer about this one.
  if (found.mchid !== mchid || found.appid !== appid || found.out_trade_no !== trade.attemptId) {
    throw new TillError('channel_error', 'WeChat Pay query answered about another merchant, AppID or trade');
  }
  const outcome = tradeOutcome(found.trade_state, found.trade_state_desc ?? null);
  if (outcome?.status === 'succeeded' && found.amount?.total !== undefined && found.amount.total !== trade.amount) {
    throw new TillError('channel_error', 'WeChat Pay query answered a paid amount other than the attempt’s');
  }
  return outcome;
}

/** Closes an unpaid trade. Done when WeChat has no such trade or it is closed already; a paid trade throws. */
export async function closeTrade(client: WechatpayClient, trade: TradeRef): Promise<void> {
  try {
    await client.call('POST', `${tradePath(trade.attemptId)}/close`, { mchid: client.credentials.mchid });
  } catch (error) {
    if (
      error instanceof WechatpayApiError &&
      (error.wechatCode === 'ORDER_NOT_EXIST' || error.wechatCode === 'ORDER_CLOSED')
    )
      return;
    if (error instanceof WechatpayApiError && error.wechatCode === 'ORDERPAID') {
      // Not closed, and not Till's to close: reconciliation's query learns that it was paid.
      throw new TillError('channel_error', 'WeChat Pay will not close a trade that is paid');
    }
    throw error;
  }
}
