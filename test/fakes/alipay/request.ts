/**
 * Reading a gateway request as Alipay does: query and form body merged, the common parameters
 * required, the merchant's signature checked with the app's registered public key (by
 * alipay-sdk), the timestamp in Beijing time and near now, biz_content JSON.
 */
import type { FakeApp, Params } from './sdk.ts';
import { requestContent } from './sdk.ts';
import { type FakeState, parseBeijing } from './state.ts';

export type GatewayError = {
  code: string;
  msg: string;
  sub_code: string;
  sub_msg: string;
};

export interface GatewayRequest {
  app: FakeApp;
  method: string;
  params: Params;
  biz: Record<string, unknown>;
}

export type ReadResult =
  | { ok: true; request: GatewayRequest }
  | { ok: false; error: GatewayError; method: string | null; signable: boolean };

/** How far a request's timestamp may be from now. Alipay's tolerance is unpublished; 15 minutes is a guess. */
const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;

const REQUIRED: Array<[string, string]> = [
  ['app_id', 'isv.missing-app-id'],
  ['method', 'isv.missing-method'],
  ['charset', 'isv.missing-charset'],
  ['sign_type', 'isv.missing-signature-type'],
  ['sign', 'isv.missing-signature'],
  ['timestamp', 'isv.missing-timestamp'],
  ['version', 'isv.missing-version'],
];

const missing = (sub: string, what: string): GatewayError => ({
  code: '40001',
  msg: 'Missing Required Arguments',
  sub_code: sub,
  sub_msg: `缺少必选参数 ${what}`,
});
export const invalid = (sub: string, message: string): GatewayError => ({
  code: '40002',
  msg: 'Invalid Arguments',
  sub_code: sub,
  sub_msg: message,
});

/** Query and (form) body, merged; a key given twice is refused. */
export async function mergedParams(request: Request): Promise<Params | null> {
  const params: Params = {};
  const add = (entries: URLSearchParams): boolean => {
    for (const [key, value] of entries) {
      if (Object.hasOwn(params, key)) return false;
      params[key] = value;
    }
    return true;
  };
  if (!add(new URL(request.url).searchParams)) return null;
  if (request.method === 'POST') {
    const type = request.headers.get('content-type') ?? '';
    const text = await request.text();
    if (text && !/^application\/x-www-form-urlencoded\b/i.test(type)) return null;
    if (text && !add(new URLSearchParams(text))) return null;
  }
  return params;
}

export function readGatewayRequest(state: FakeState, params: Params): ReadResult {
  const method = params.method ?? null;
  for (const [name, sub] of REQUIRED) {
    if (!params[name]) return { ok: false, error: missing(sub, name), method, signable: false };
  }
  const app = state.apps.get(params.app_id!);
  // Alipay cannot sign for an app it does not know: the answer is an unsigned error_response.
  if (!app)
    return {
      ok: false,
      error: invalid('isv.invalid-app-id', `无效的AppID参数 ${params.app_id}`),
      method,
      signable: false,
    };
  const fail = (error: GatewayError): ReadResult => ({ ok: false, error, method, signable: true });
  if (params.sign_type !== 'RSA2')
    return fail(invalid('isv.invalid-signature-type', `sign_type must be RSA2, got ${params.sign_type}`));
  if (params.charset!.toLowerCase() !== 'utf-8')
    return fail(invalid('isv.invalid-charset', `charset must be utf-8, got ${params.charset}`));
  if (params.format !== undefined && params.format.toUpperCase() !== 'JSON')
    return fail(invalid('isv.invalid-format', `format must be JSON, got ${params.format}`));
  if (params.version !== '1.0')
    return fail(invalid('isv.invalid-version', `version must be 1.0, got ${params.version}`));
  const content = requestContent(params);
  if (!app.verify(content, params.sign!)) {
    // The real gateway echoes the string it verified, which is how merchants debug this.
    return fail(
      invalid(
        'isv.invalid-signature',
        `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content}`,
      ),
    );
  }
  const at = parseBeijing(params.timestamp!);
  if (at === null)
    return fail(invalid('isv.invalid-timestamp', `timestamp must be yyyy-MM-dd HH:mm:ss, got ${params.timestamp}`));
  if (Math.abs(at - Date.now()) > TIMESTAMP_WINDOW_MS) {
    return fail(
      invalid(
        'isv.invalid-timestamp',
        `timestamp ${params.timestamp} is not within 15 minutes of now in Beijing time (GMT+8)`,
      ),
    );
  }
  for (const name of ['notify_url', 'return_url']) {
    const url = params[name];
    if (url !== undefined && !/^https?:\/\/[^\s]+$/.test(url))
      return fail(invalid('isv.invalid-parameter', `${name} is not a URL`));
    if (url !== undefined && url.length > 256)
      return fail(invalid('isv.invalid-parameter', `${name} is longer than 256 characters`));
  }
  let biz: unknown;
  try {
    biz = JSON.parse(params.biz_content ?? '');
  } catch {
    return fail(missing('isv.missing-biz-content', 'biz_content (JSON)'));
  }
  if (typeof biz !== 'object' || biz === null || Array.isArray(biz))
    return fail(invalid('isv.invalid-parameter', 'biz_content is not a JSON object'));
  return { ok: true, request: { app, method: method!, params, biz: biz as Record<string, unknown> } };
}
