/**
 * The one error envelope, and which error codes each route may return, grouped by HTTP status
 * into OpenAPI responses. Codes a route shares with every route of its kind are derived here,
 * so a route entry lists only the errors particular to it.
 */
import { z } from 'zod';
import type { ApiRoute, Role } from '../../../shared/api/route.ts';
import { ERROR_CODES, type ErrorCode } from '../../../shared/errors.ts';

const CODES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];
const TYPES = [...new Set(Object.values(ERROR_CODES).map((entry) => entry.type))] as [string, ...string[]];
const statusOf = (code: ErrorCode): number => ERROR_CODES[code].status;

export const ErrorEnvelopeSchema = z.object({
  error: z.object({
    type: z.enum(TYPES).describe('The kind of error; `code` says exactly what went wrong.'),
    code: z
      .enum(CODES)
      .describe("What went wrong; branch on it. Each operation's error responses list the codes it returns."),
    message: z.string().describe('For the developer, in English; it may change, so do not parse it.'),
    param: z.string().optional().describe('The parameter or header the error is about.'),
    request_id: z.string().describe('Quote it when asking for support; also in the `request-id` header.'),
  }),
});

/** What each code means to a merchant; a code missing here is shown by name alone (a unit test lists them). */
export const ERROR_DESCRIPTIONS: Partial<Record<ErrorCode, string>> = {
  invalid_json: 'The body is not valid JSON.',
  invalid_parameter: 'A parameter or header has an invalid value; `param` names it.',
  missing_parameter: 'A required parameter is missing; `param` names it.',
  unknown_parameter: 'A parameter the endpoint does not accept; `param` names it.',
  body_too_large: 'The body is larger than 64 KiB.',
  unsupported_media_type: 'The body is not `application/json`.',
  not_found: 'No such resource.',
  method_not_allowed: 'The path does not accept this method.',
  upgrade_required: 'The path is a WebSocket: open it with `Upgrade: websocket`.',
  order_not_found: 'No order with this id belongs to you.',
  attempt_not_found: 'The order has no attempt with this id.',
  merchant_not_found: 'No merchant with this id.',
  channel_not_available: 'The channel is unknown or not enabled for this merchant or order.',
  amount_over_limit: "The amount is over the merchant's per-order limit for this currency.",
  event_not_found: 'No event with this id belongs to you.',
  api_key_not_found: 'No API key with this id belongs to you.',
  webhook_endpoint_not_found:
    'No webhook endpoint with this id in the mode of your key (or none that receives this event).',
  too_many_webhook_endpoints: 'You have the most webhook endpoints a mode may have (16); delete one first.',
  idempotency_key_reused: 'The Idempotency-Key was already used with a different request.',
  idempotency_key_in_use: 'A request with this Idempotency-Key is still running; retry in a moment.',
  idempotency_answer_unavailable:
    'A request with this Idempotency-Key finished, but its stored answer can no ' +
    'longer be read (its master key was retired); check the outcome and use a new key.',
  missing_api_key: 'No `Authorization: Bearer …` header.',
  invalid_api_key: 'The key is malformed, unknown or revoked.',
  expired_api_key: 'The key was rolled and its grace period is over; use its replacement.',
  missing_client_token: "No `Authorization: Bearer <the order's client_token>` header.",
  invalid_client_token: 'The client token is not one Till issued for this use.',
  expired_client_token: 'The client token has expired.',
  missing_signature: 'Your account requires signed requests and `Till-Signature` is missing.',
  invalid_signature: "The request's signature (`Till-Signature`, or a channel's own) is malformed or does not match.",
  signature_outside_window: 'The `t` of `Till-Signature` is too far from our clock.',
  nonce_replayed: 'The nonce of `Till-Signature` was already used; sign every request with a fresh one.',
  forbidden: 'This kind of key may not call this endpoint (for example a restricted key on a write).',
  merchant_disabled: 'The merchant account is disabled.',
  live_mode_not_enabled: 'Live mode is not enabled for this merchant yet; use a test key.',
  order_not_payable: 'The order is paid, canceled or expired.',
  order_not_cancelable: 'The order is paid or being paid and can no longer be canceled.',
  order_not_refundable: 'The order is not paid, or is already refunded in full (counting pending refunds).',
  order_not_capturable:
    'The order holds no authorization to capture: it uses automatic capture, ' +
    'is not yet authorized, or was already captured or voided.',
  order_not_voidable: 'The order holds no authorization to void.',
  capture_in_progress: 'A capture of this order is in flight; try again in a moment.',
  refund_not_found: 'No refund with this id on this order.',
  refund_exceeds_payment: 'The refund is more than what is left to refund; pending refunds count.',
  capture_exceeds_authorization: 'The capture asks for more than the authorized amount.',
  channel_trade_not_found: 'The payment channel has no trade for this attempt.',
  capture_failed: 'The payment channel refused to capture the authorization.',
  attempt_in_progress: 'Another attempt is in progress; wait for its outcome.',
  api_key_not_active: 'The key is already revoked or rolled.',
  webhook_endpoint_disabled:
    'The webhook endpoint is disabled; enable it (POST /v1/webhook_endpoints/:id with status enabled) first.',
  merchant_already_created:
    'A request with this Idempotency-Key already created the merchant; its keys were shown to that request only.',
  token_mismatch: 'The client token is for another order.',
  rate_limited: 'Too many requests; wait the `Retry-After` seconds, then retry.',
  channel_error: 'The payment channel refused the request or could not be reached.',
  internal_error: 'Something went wrong on our side; retry later (with the same Idempotency-Key, if you sent one).',
};

const describe = (code: ErrorCode): string => ERROR_DESCRIPTIONS[code] ?? code;

// Whatever code the rate limiter answers with, every rate-limited role may get it.
const RATE_LIMITED = CODES.filter((code) => statusOf(code) === 429);
const API_KEY_ERRORS: readonly ErrorCode[] = [
  'missing_api_key',
  'invalid_api_key',
  'expired_api_key',
  'merchant_disabled',
  'live_mode_not_enabled',
  'forbidden',
  ...RATE_LIMITED,
];
const SIGNATURE_ERRORS: readonly ErrorCode[] = [
  'missing_signature',
  'invalid_signature',
  'signature_outside_window',
  'nonce_replayed',
];
const ROLE_ERRORS: Record<Role, readonly ErrorCode[]> = {
  admin: ['missing_api_key', 'invalid_api_key'],
  secret: [...API_KEY_ERRORS, ...SIGNATURE_ERRORS],
  restricted: [...API_KEY_ERRORS, ...SIGNATURE_ERRORS],
  publishable: API_KEY_ERRORS,
  client_token: [
    'missing_client_token',
    'invalid_client_token',
    'expired_client_token',
    'token_mismatch',
    ...RATE_LIMITED,
  ],
  channel: [],
};
const BODY_ERRORS: readonly ErrorCode[] = [
  'invalid_json',
  'invalid_parameter',
  'missing_parameter',
  'unknown_parameter',
  'body_too_large',
  'unsupported_media_type',
];
const QUERY_ERRORS: readonly ErrorCode[] = ['invalid_parameter', 'missing_parameter', 'unknown_parameter'];
const IDEMPOTENCY_ERRORS: readonly ErrorCode[] = [
  'invalid_parameter',
  'idempotency_key_reused',
  'idempotency_key_in_use',
  'idempotency_answer_unavailable',
];

/**
 * Every code a route may return: its own, those of its roles, its path parameters, body, query,
 * rate limits and idempotency, and ours. A POST without a JSON body still reads what is sent
 * (it must be empty or `{}`), so it may get the body errors too.
 */
export function errorCodesOf(route: ApiRoute): ErrorCode[] {
  const all = new Set<ErrorCode>(route.errors);
  const add = (codes: readonly ErrorCode[]) => {
    for (const code of codes) all.add(code);
  };
  for (const role of route.auth) add(ROLE_ERRORS[role]);
  for (const param of Object.values(route.params ?? {})) all.add(param.invalid.code);
  if (route.method !== 'get' && !(route.body && 'opaque' in route.body)) add(BODY_ERRORS);
  if (route.query || route.deepObjectQuery) add(QUERY_ERRORS);
  if (isRateLimited(route)) add(RATE_LIMITED);
  if (route.idempotent) add(IDEMPOTENCY_ERRORS);
  all.add('internal_error');
  return [...all];
}

/** Whether the route counts requests against a declared rate limit (and says its policy in `RateLimit-Policy`). */
export const isRateLimited = (route: ApiRoute): boolean => (route.limits?.length ?? 0) > 0;

/** One example envelope per code, for `components.examples`; responses `$ref` them. */
export function errorExamples(): Record<string, { summary: string; value: unknown }> {
  const examples: Record<string, { summary: string; value: unknown }> = {};
  for (const code of CODES) {
    const error = { type: ERROR_CODES[code].type, code, message: describe(code), request_id: 'req_0123456789abcdef' };
    examples[code] = { summary: describe(code), value: { error } };
  }
  return examples;
}

export interface ErrorResponse {
  description: string;
  headers: Record<string, { $ref: string }>;
  content: { 'application/json': { schema: { $ref: string }; examples: Record<string, { $ref: string }> } };
}

/** One response per HTTP status, listing the codes it carries and an example of each. */
export function errorResponses(route: ApiRoute): Record<string, ErrorResponse> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(route)) byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
  const responses: Record<string, ErrorResponse> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers: ErrorResponse['headers'] = { 'request-id': { $ref: '#/components/headers/RequestId' } };
    if (status === 429) {
      headers['Retry-After'] = { $ref: '#/components/headers/RetryAfter' };
      headers['RateLimit-Policy'] = { $ref: '#/components/headers/RateLimitPolicy' };
    }
    const examples = Object.fromEntries(codes.map((code) => [code, { $ref: `#/components/examples/${code}` }]));
    responses[String(status)] = {
      description: codes.map((code) => `- \`${code}\`: ${describe(code)}`).join('\n'),
      headers,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, examples } },
    };
  }
  return responses;
}
