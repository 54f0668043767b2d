/**
 * What the SDK throws. Every answer of the API that is not a success becomes a `TillApiError`
 * carrying the error envelope's fields; the other classes are for failures that never reached
 * an answer, or for checks the SDK does itself (webhook signatures, receipts).
 */
import type { ErrorCode, ErrorType } from '../shared/errors.ts';
import type { JwsFailure } from '../shared/jws.ts';
import { ReasonError } from '../shared/reason-error.ts';
import type { SignatureFailure } from '../shared/signature.ts';

export interface TillApiErrorFields {
  status: number;
  /** The envelope's `type`, or `api_error` when the answer was not an envelope. */
  type: ErrorType | (string & {});
  /** The envelope's `code`, or `invalid_response` when the answer was not what the API documents. */
  code: ErrorCode | (string & {});
  message: string;
  param?: string | undefined;
  requestId?: string | undefined;
}

/** Till answered with an error (or with a body the SDK could not accept). */
export class TillApiError extends Error {
  override name = 'TillApiError';
  readonly status: number;
  readonly type: TillApiErrorFields['type'];
  readonly code: TillApiErrorFields['code'];
  readonly param: string | undefined;
  readonly requestId: string | undefined;

  constructor(fields: TillApiErrorFields) {
    super(fields.message);
    this.status = fields.status;
    this.type = fields.type;
    this.code = fields.code;
    this.param = fields.param;
    this.requestId = fields.requestId;
  }
}

/** No answer: the network failed or the try timed out, on every try. `cause` has the last failure. */
export class TillConnectionError extends Error {
  override name = 'TillConnectionError';
  readonly timedOut: boolean;
  constructor(message: string, options: { cause: unknown; timedOut: boolean }) {
    super(message, { cause: options.cause });
    this.timedOut = options.timedOut;
  }
}

export type WebhookFailure = SignatureFailure | 'invalid_payload' | 'wrong_mode' | 'wrong_merchant';

/** A webhook delivery that must not be trusted: its signature does not check out, or its body is not an event. */
export class TillWebhookError extends ReasonError<WebhookFailure> {
  override name = 'TillWebhookError';
}

export type ReceiptFailure = JwsFailure | 'invalid_claims' | 'wrong_merchant' | 'wrong_mode';

/** A receipt that does not prove a payment to this merchant. */
export class TillReceiptError extends ReasonError<ReceiptFailure> {
  override name = 'TillReceiptError';
}
