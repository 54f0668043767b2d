/**
 * WeChat Pay's wire rules, carried out with wechatpay-axios-plugin's own code (Formatter, Rsa,
 * AesGcm) rather than Till's, so the fake checks the adapter against an independent reading:
 * request signatures in, signed answers and encrypted, signed callbacks out.
 */
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import { type FakeMerchant, type FakeState, randomAlnum } from './state.ts';

export const SCHEME = 'WECHATPAY2-SHA256-RSA2048';
const WINDOW_SECONDS = 300;

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Unix seconds → RFC 3339 in UTC+8, as WeChat writes times. */
export function chinaTime(unixSeconds: number): string {
  return new Date((unixSeconds + 8 * 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

/** An error answer as WeChat sends it: `{code, message, detail?}` with its HTTP status. */
export function wechatError(status: number, code: string, message: string, detail?: Record<string, unknown>): Response {
  return Response.json(detail ? { code, message, detail } : { code, message }, { status });
}

export type Verified = { ok: true; merchant: FakeMerchant } | { ok: false; response: Response };

const signError = (message: string): Verified => ({ ok: false, response: wechatError(401, 'SIGN_ERROR', message) });

/** `key="value"` pairs joined by commas, in any order, each of the five exactly once. */
function authorizationPairs(header: string): Map<string, string> | null {
  if (!header.startsWith(`${SCHEME} `)) return null;
  const pairs = new Map<string, string>();
  for (const part of header.slice(SCHEME.length + 1).split(',')) {
    const match = /^([a-z_]+)="([^"]*)"$/.exec(part.trim());
    if (!match || pairs.has(match[1]!)) return null;
    pairs.set(match[1]!, match[2]!);
  }
  return ['mchid', 'nonce_str', 'timestamp', 'serial_no', 'signature'].every((key) => pairs.has(key)) ? pairs : null;
}

/**
 * Checks the request's Authorization as WeChat does: merchant by mchid + serial_no, window,
 * signature over the URL as sent.
 */
export function verifyRequest(state: FakeState, request: Request, body: string): Verified {
  const header = request.headers.get('authorization');
  if (!header) return signError('Authorization header is missing');
  const pairs = authorizationPairs(header);
  if (!pairs)
    return signError(`Authorization must be "${SCHEME} mchid=…,nonce_str=…,timestamp=…,serial_no=…,signature=…"`);
  const merchant = state.merchant(pairs.get('mchid')!, pairs.get('serial_no')!);
  if (!merchant) return signError('商户证书序列号有误 (no such mchid + serial_no)');
  const timestamp = pairs.get('timestamp')!;
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds() - Number(timestamp)) > WINDOW_SECONDS) {
    return signError('请求时间戳与当前时间相差过大 (timestamp outside 300 s)');
  }
  const url = new URL(request.url);
  const message = Formatter.request(
    request.method,
    url.pathname + url.search,
    timestamp,
    pairs.get('nonce_str')!,
    body,
  );
  if (!Rsa.verify(message, pairs.get('signature')!, merchant.publicKey))
    return signError('签名错误 (signature does not verify)');
  return { ok: true, merchant };
}

/** The Wechatpay-* headers over `body`, signed with the platform key the merchant's mode uses. */
export function signedHeaders(
  state: FakeState,
  mchid: string,
  body: string,
  options: { tamper?: boolean } = {},
): Record<string, string> {
  const signer = state.signerFor(mchid);
  const timestamp = String(nowSeconds());
  const nonce = randomAlnum(32);
  const signature = Rsa.sign(
    Formatter.response(timestamp, nonce, options.tamper ? `${body} ` : body),
    signer.privateKey,
  );
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signature,
    'Wechatpay-Serial': signer.serial,
    'Wechatpay-Signature-Type': SCHEME,
  };
}

/** A 2xx answer, signed unless a fault says otherwise. */
export function signedAnswer(state: FakeState, mchid: string, path: string, status: number, value: unknown): Response {
  const body = value === null ? '' : JSON.stringify(value);
  const fault = state.takeFault(['unsigned_answer', 'bad_answer_signature'], mchid, path);
  const headers: Record<string, string> = value === null ? {} : { 'Content-Type': 'application/json' };
  if (fault?.kind !== 'unsigned_answer')
    Object.assign(headers, signedHeaders(state, mchid, body, { tamper: fault?.kind === 'bad_answer_signature' }));
  return new Response(status === 204 ? null : body, { status, headers });
}

export interface Callback {
  notify_url: string;
  body: string;
  headers: Record<string, string>;
}

/** A callback as WeChat posts it: the resource encrypted with the merchant's APIv3 key, the body signed. */
export function buildCallback(
  state: FakeState,
  input: {
    mchid: string;
    notifyUrl: string;
    eventId: string;
    eventType: string;
    summary: string;
    originalType: 'transaction' | 'refund';
    resource: unknown;
    /** What is encrypted instead of the resource's JSON (a garbled_resource fault). */
    plaintext?: string;
  },
): Callback {
  const merchant = state.anyMerchant(input.mchid);
  if (!merchant) throw new Error(`no merchant ${input.mchid}`);
  const nonce = randomAlnum(12);
  const plaintext = input.plaintext ?? JSON.stringify(input.resource);
  const ciphertext = Aes.AesGcm.encrypt(plaintext, merchant.apiV3Key, nonce, input.originalType);
  const body = JSON.stringify({
    id: input.eventId,
    create_time: chinaTime(nowSeconds()),
    resource_type: 'encrypt-resource',
    event_type: input.eventType,
    summary: input.summary,
    resource: {
      original_type: input.originalType,
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext,
      associated_data: input.originalType,
      nonce,
    },
  });
  return {
    notify_url: input.notifyUrl,
    body,
    headers: { 'Content-Type': 'application/json', ...signedHeaders(state, input.mchid, body) },
  };
}

/** A WECHATPAY/SIGNTEST/ probe: shaped like a callback, with a signature that is deliberately not one. */
export function buildProbe(state: FakeState, mchid: string, notifyUrl: string): Callback {
  const body = JSON.stringify({
    id: `EV-SIGNTEST-${randomAlnum(16)}`,
    create_time: chinaTime(nowSeconds()),
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '签名探测',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: Buffer.from(randomAlnum(48)).toString('base64'),
      associated_data: 'transaction',
      nonce: randomAlnum(12),
    },
  });
  const headers = signedHeaders(state, mchid, body);
  headers['Wechatpay-Signature'] = `WECHATPAY/SIGNTEST/${Buffer.from(randomAlnum(64)).toString('base64')}`;
  return { notify_url: notifyUrl, body, headers: { 'Content-Type': 'application/json', ...headers } };
}

/** Checks a JSAPI paySign as WeChat's in-app browser does, with the key of the merchant that opened the trade. */
export function verifyPaySign(merchant: FakeMerchant, params: Record<string, string>): boolean {
  const message = Formatter.joinedByLineFeed(
    params.appId ?? '',
    params.timeStamp ?? '',
    params.nonceStr ?? '',
    params.package ?? '',
  );
  return params.signType === 'RSA' && Rsa.verify(message, params.paySign ?? '', merchant.publicKey);
}

export interface Delivery {
  delivered: boolean;
  dropped: boolean;
  attempts: Array<{ status: number | null; error?: string }>;
}

// WeChat retries over a day (15 s, 15 s, 30 s, 3 min, …); the fake retries over a few seconds.
const RETRY_DELAYS_MS = [0, 200, 500, 1000, 2000];

/** Posts a callback until it is answered 2xx, as WeChat does, and reports each try. */
export async function deliver(state: FakeState, mchid: string, subject: string, callback: Callback): Promise<Delivery> {
  if (state.takeFault(['drop_callback'], mchid, subject)) return { delivered: false, dropped: true, attempts: [] };
  const attempts: Delivery['attempts'] = [];
  for (const delay of RETRY_DELAYS_MS) {
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      const response = await fetch(callback.notify_url, {
        method: 'POST',
        headers: callback.headers,
        body: callback.body,
        signal: AbortSignal.timeout(5000),
      });
      await response.arrayBuffer();
      attempts.push({ status: response.status });
      if (response.ok) return { delivered: true, dropped: false, attempts };
    } catch (error) {
      attempts.push({ status: null, error: (error as Error).message });
    }
  }
  return { delivered: false, dropped: false, attempts };
}
