/**
 * One signed call to the WeChat Pay API v3: the request signed with the merchant key, the answer
 * verified with WeChat's key before a byte of it is believed. Free of worker bindings (the base
 * URL and clock come in), so the same client runs in the worker and in node tests.
 */
import { TillError } from '../../../shared/errors.ts';
import { nowMs } from '../../base/clock.ts';
import type { WechatpayCredentials } from './credentials.ts';
import { verifyWechatpaySignature, WechatpaySignatureError } from './signature-check.ts';
import { authorization, freshSeed } from './signing.ts';

export const WECHATPAY_LIVE_API = 'https://api.mch.weixin.qq.com';

/** WeChat Pay answers within a few seconds; a call left hanging would hold the order object. */
const TIMEOUT_MS = 10_000;

// WeChat Pay refuses API v3 requests that carry no User-Agent.
const USER_AGENT = 'Till/0.1 (WeChat Pay API v3 channel)';

export interface WechatpayClientConfig {
  /** e.g. https://api.mch.weixin.qq.com (no trailing slash needed). */
  baseUrl: string;
  credentials: WechatpayCredentials;
  /** Milliseconds since the epoch; tests pin it. */
  now?: () => number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** A verified 2xx answer: the parsed JSON body, or null for 204. */
export interface WechatpayAnswer {
  status: number;
  body: unknown;
}

/** WeChat Pay answered with an error status: `{code, message}` of its body, kept short. */
export class WechatpayApiError extends TillError {
  override name = 'WechatpayApiError';
  readonly httpStatus: number;
  readonly wechatCode: string;

  constructor(httpStatus: number, wechatCode: string, wechatMessage: string) {
    super('channel_error', `WeChat Pay answered ${httpStatus} ${wechatCode}: ${wechatMessage.slice(0, 200)}`);
    this.httpStatus = httpStatus;
    this.wechatCode = wechatCode;
  }

  /** 5xx, rate limits and SYSTEM_ERROR: the same request may succeed later. */
  get retryable(): boolean {
    return (
      this.httpStatus >= 500 ||
      this.httpStatus === 429 ||
      this.wechatCode === 'SYSTEM_ERROR' ||
      this.wechatCode === 'FREQUENCY_LIMITED'
    );
  }
}

function errorOf(status: number, text: string): WechatpayApiError {
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'string')
      return new WechatpayApiError(status, body.code, typeof body.message === 'string' ? body.message : '');
  } catch {
    // not JSON: a proxy's page, say
  }
  return new WechatpayApiError(status, `HTTP_${status}`, 'no error body');
}

export class WechatpayClient {
  readonly credentials: WechatpayCredentials;
  readonly #base: URL;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(config: WechatpayClientConfig) {
    this.credentials = config.credentials;
    this.#base = new URL(config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`);
    this.#now = config.now ?? nowMs;
    this.#fetch = config.fetch ?? ((input, init) => fetch(input, init));
    this.#timeoutMs = config.timeoutMs ?? TIMEOUT_MS;
  }

  /**
   * Calls `path` (starting with /v3/, query included) and answers the verified 2xx. Throws
   * WechatpayApiError for an error status and TillError('channel_error') when there is no
   * answer to believe (unreachable, timed out, or a 2xx whose signature fails: forged).
   */
  async call(method: 'GET' | 'POST', path: string, body?: Record<string, unknown>): Promise<WechatpayAnswer> {
    // Resolved against the base so a stand-in under a path prefix signs the path it receives.
    const url = new URL(path.replace(/^\//, ''), this.#base);
    const text = body === undefined ? '' : JSON.stringify(body);
    const { credentials } = this;
    const signer = {
      mchid: credentials.mchid,
      serialNo: credentials.merchant_serial_no,
      privateKey: credentials.private_key,
    };
    const headers = new Headers({
      Accept: 'application/json',
      Authorization: await authorization(signer, method, url.pathname + url.search, text, freshSeed(this.#now())),
      'User-Agent': USER_AGENT,
    });
    // Names the WeChat key the merchant verifies with, so an account migrating between certificate
    // and public-key mode is answered with the key the merchant holds (the credentials hold at least one).
    const [verifyingKey] = credentials.platform_keys;
    if (verifyingKey) headers.set('Wechatpay-Serial', verifyingKey.serial);
    if (body !== undefined) headers.set('Content-Type', 'application/json');

    let response: Response;
    let received: string;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : text,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      received = await response.text();
    } catch (error) {
      throw new TillError(
        'channel_error',
        `WeChat Pay did not answer ${method} ${url.pathname}: ${(error as Error)?.name ?? 'error'}`,
      );
    }
    if (response.status < 200 || response.status > 299) throw errorOf(response.status, received);
    try {
      await verifyWechatpaySignature(
        credentials.platform_keys,
        response.headers,
        received,
        Math.floor(this.#now() / 1000),
      );
    } catch (error) {
      if (error instanceof WechatpaySignatureError)
        throw new TillError('channel_error', `WeChat Pay answer to ${method} ${url.pathname} ${error.message}`);
      throw error;
    }
    if (received === '') return { status: response.status, body: null };
    try {
      return { status: response.status, body: JSON.parse(received) as unknown };
    } catch {
      throw new TillError('channel_error', `WeChat Pay answer to ${method} ${url.pathname} is not JSON`);
    }
  }
}
