/**
 * One error type for the whole API. Every failure becomes `{ error: { type, code, message,
 * param?, request_id } }` with the HTTP status its code documents here.
 */

export const ERROR_CODES = {
  // invalid_request_error: the caller sent something wrong and nothing changed.
  invalid_json: { status: 400, type: 'invalid_request_error' },
  invalid_parameter: { status: 400, type: 'invalid_request_error' },
  missing_parameter: { status: 400, type: 'invalid_request_error' },
  unknown_parameter: { status: 400, type: 'invalid_request_error' },
  body_too_large: { status: 413, type: 'invalid_request_error' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error' },
  not_found: { status: 404, type: 'invalid_request_error' },
  method_not_allowed: { status: 405, type: 'invalid_request_error' },
  upgrade_required: { status: 426, type: 'invalid_request_error' },
  order_not_found: { status: 404, type: 'invalid_request_error' },
  merchant_not_found: { status: 404, type: 'invalid_request_error' },
  channel_not_available: { status: 400, type: 'invalid_request_error' },
  amount_over_limit: { status: 400, type: 'invalid_request_error' },
  event_not_found: { status: 404, type: 'invalid_request_error' },
  refund_not_found: { status: 404, type: 'invalid_request_error' },
  attempt_not_found: { status: 404, type: 'invalid_request_error' },
  refund_exceeds_payment: { status: 400, type: 'invalid_request_error' },
  capture_exceeds_authorization: { status: 400, type: 'invalid_request_error' },
  api_key_not_found: { status: 404, type: 'invalid_request_error' },
  webhook_endpoint_not_found: { status: 404, type: 'invalid_request_error' },
  too_many_webhook_endpoints: { status: 400, type: 'invalid_request_error' },
  idempotency_key_reused: { status: 409, type: 'idempotency_error' },
  idempotency_key_in_use: { status: 409, type: 'idempotency_error' },
  idempotency_answer_unavailable: { status: 409, type: 'idempotency_error' },
  // authentication_error: who is calling could not be established.
  missing_api_key: { status: 401, type: 'authentication_error' },
  invalid_api_key: { status: 401, type: 'authentication_error' },
  missing_client_token: { status: 401, type: 'authentication_error' },
  invalid_client_token: { status: 401, type: 'authentication_error' },
  expired_client_token: { status: 401, type: 'authentication_error' },
  expired_api_key: { status: 401, type: 'authentication_error' },
  missing_signature: { status: 401, type: 'authentication_error' },
  invalid_signature: { status: 401, type: 'authentication_error' },
  signature_outside_window: { status: 401, type: 'authentication_error' },
  nonce_replayed: { status: 401, type: 'authentication_error' },
  // permission_error: the caller is known but may not do this.
  forbidden: { status: 403, type: 'permission_error' },
  merchant_disabled: { status: 403, type: 'permission_error' },
  live_mode_not_enabled: { status: 403, type: 'permission_error' },
  // state_error: the request was well formed but the order's state does not allow it.
  order_not_payable: { status: 409, type: 'state_error' },
  order_not_cancelable: { status: 409, type: 'state_error' },
  order_not_refundable: { status: 409, type: 'state_error' },
  order_not_capturable: { status: 409, type: 'state_error' },
  order_not_voidable: { status: 409, type: 'state_error' },
  capture_in_progress: { status: 409, type: 'state_error' },
  attempt_in_progress: { status: 409, type: 'state_error' },
  api_key_not_active: { status: 409, type: 'state_error' },
  merchant_already_created: { status: 409, type: 'state_error' },
  webhook_endpoint_disabled: { status: 409, type: 'state_error' },
  token_mismatch: { status: 401, type: 'authentication_error' },
  // rate_limit_error: too many requests; the response says when to retry (Retry-After).
  rate_limited: { status: 429, type: 'rate_limit_error' },
  // channel_error: the payment channel refused or could not be reached.
  channel_error: { status: 502, type: 'channel_error' },
  channel_trade_not_found: { status: 502, type: 'channel_error' },
  capture_failed: { status: 402, type: 'channel_error' },
  // api_error: our fault.
  internal_error: { status: 500, type: 'api_error' },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
export type ErrorType = (typeof ERROR_CODES)[ErrorCode]['type'];

export interface ErrorBody {
  type: ErrorType;
  code: ErrorCode;
  message: string;
  param?: string;
  request_id: string;
}

export interface ErrorEnvelope {
  error: ErrorBody;
}

export class TillError extends Error {
  override name = 'TillError';
  readonly code: ErrorCode;
  readonly param: string | undefined;
  /** Response headers that go with this error (such as Retry-After); the error handler sends them. */
  readonly headers: Record<string, string> = {};

  constructor(code: ErrorCode, message: string, param?: string) {
    super(message);
    this.code = code;
    this.param = param;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get type(): ErrorType {
    return ERROR_CODES[this.code].type;
  }

  withHeaders(headers: Record<string, string>): this {
    Object.assign(this.headers, headers);
    return this;
  }

  toEnvelope(requestId: string): ErrorEnvelope {
    const body: ErrorBody = { type: this.type, code: this.code, message: this.message, request_id: requestId };
    if (this.param !== undefined) body.param = this.param;
    return { error: body };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
