/**
 * Calls to the Alipay gateway: server calls (POST, answer verified against the merchant's
 * Alipay public key) and the signed URLs that send a shopper's browser to Alipay's cashier.
 * Knows nothing of Till's orders, so it runs in node too (the unit tests drive it against the
 * fake gateway).
 */
import { z } from 'zod';
import { TillError } from '../../../shared/errors.ts';
import { nowMs } from '../../base/clock.ts';
import { beijingTime } from '../china-time.ts';
import type { AlipayCredentials } from './credentials.ts';
import { type AlipayParams, extractAnswer, signRequest, verifyAnswer } from './protocol.ts';

export const ALIPAY_SANDBOX_GATEWAY = 'https://openapi-sandbox.dl.alipaydev.com/gateway.do';
export const ALIPAY_GATEWAY = 'https://openapi.alipay.com/gateway.do';

/**
 * How long a server call may take: Alipay answers in well under a second; a stuck call is retried by reconciliation.
 */
const CALL_TIMEOUT_MS = 10_000;
/** Longer answers are not Alipay's (a query answer is a few hundred characters). */
const MAX_ANSWER_LENGTH = 256 * 1024;

export interface GatewayConfig {
  url: string;
  credentials: AlipayCredentials;
  /** For tests: the clock of `timestamp`. */
  now?: () => number;
}

/** Common parameters the caller may add; both are common parameters, never inside biz_content. */
export interface CommonExtras {
  notify_url?: string | undefined;
  return_url?: string | undefined;
}

/**
 * An answer Alipay signed: `code` 10000 is success, 40004 a business refusal (`sub_code`
 * ACQ.*), 20000 "try again", 4000x a request Alipay could not take.
 */
export const AlipayReplySchema = z.looseObject({
  code: z.string(),
  msg: z.string().optional(),
  sub_code: z.string().optional(),
  sub_msg: z.string().optional(),
});
export type AlipayReply = z.infer<typeof AlipayReplySchema>;

export const isSuccess = (reply: AlipayReply): boolean => reply.code === '10000';

/**
 * The common parameters for a method and its biz_content (a JSON string, signed as sent), empty ones dropped, signed.
 */
async function signedParams(
  config: GatewayConfig,
  method: string,
  biz: Record<string, unknown>,
  extras: CommonExtras,
): Promise<AlipayParams> {
  const params: AlipayParams = {
    app_id: config.credentials.app_id,
    method,
    format: 'JSON',
    charset: 'utf-8',
    sign_type: 'RSA2',
    timestamp: beijingTime(config.now?.() ?? nowMs()),
    version: '1.0',
    notify_url: extras.notify_url ?? '',
    return_url: extras.return_url ?? '',
    biz_content: JSON.stringify(biz),
  };
  return signRequest(params, config.credentials.app_private_key);
}

/**
 * The gateway URL with `params` added to its query (an operator's gateway URL may carry one, e.g. `?charset=utf-8`).
 */
function withQuery(gateway: string, params: AlipayParams): string {
  const url = new URL(gateway);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

/** A short description of a reply for messages and logs: codes only, never payer data. */
export const describeReply = (reply: AlipayReply): string =>
  [reply.code, reply.sub_code].filter((part) => part !== undefined).join(' ');

/**
 * Makes a server call and answers Alipay's signed reply, whatever its code. Throws TillError
 * (`channel_error`) for anything that is not such a reply: no answer in time, an HTTP error,
 * an unsigned or badly signed answer, or one about another trade.
 */
export async function callGateway(
  config: GatewayConfig,
  method: string,
  biz: Record<string, unknown>,
  extras: CommonExtras = {},
): Promise<AlipayReply> {
  const { biz_content, ...common } = await signedParams(config, method, biz, extras);
  // As Alipay's SDKs send it: common parameters in the query, biz_content as a form body.
  const url = withQuery(config.url, common);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', accept: 'application/json' },
      body: new URLSearchParams({ biz_content: biz_content ?? '{}' }).toString(),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
  } catch (error) {
    throw new TillError('channel_error', `Alipay ${method} did not answer (${(error as Error)?.name ?? 'error'})`);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new TillError('channel_error', `Alipay ${method} answered HTTP ${response.status}`);
  }
  const text = await response.text();
  if (text.length > MAX_ANSWER_LENGTH)
    throw new TillError('channel_error', `Alipay ${method} answered ${text.length} characters`);

  const answer = extractAnswer(text, method);
  let json: unknown;
  try {
    json = JSON.parse(answer.raw);
  } catch {
    throw new TillError('channel_error', `Alipay's ${answer.key} is not JSON`);
  }
  const parsed = AlipayReplySchema.safeParse(json);
  if (!parsed.success) throw new TillError('channel_error', `Alipay's ${answer.key} has no code`);
  const reply = parsed.data;
  // Unsigned answers are refused whatever they say: anyone on the path could have written them.
  // (The codes are kept in the message: they are the first thing to look at when setting up.)
  if (!answer.sign)
    throw new TillError('channel_error', `Alipay's answer to ${method} is not signed (${describeReply(reply)})`);
  if (!(await verifyAnswer(answer, config.credentials.alipay_public_key))) {
    throw new TillError(
      'channel_error',
      `Alipay's answer to ${method} fails verification with alipay_public_key (${describeReply(reply)})`,
    );
  }
  const ours = biz.out_trade_no;
  if (typeof reply.out_trade_no === 'string' && typeof ours === 'string' && reply.out_trade_no !== ours) {
    throw new TillError('channel_error', `Alipay answered ${method} about another trade`);
  }
  return reply;
}

/**
 * A signed GET URL of the gateway for a browser method (alipay.trade.page.pay / wap.pay): the
 * shopper's browser opens it and Alipay's cashier takes over. Nothing is sent from Till.
 */
export async function pageUrl(
  config: GatewayConfig,
  method: string,
  biz: Record<string, unknown>,
  extras: CommonExtras,
): Promise<string> {
  const params = await signedParams(config, method, biz, extras);
  return withQuery(config.url, params);
}
