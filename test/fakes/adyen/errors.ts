/**
 * Adyen's error answer (ServiceError in CheckoutService-v71.json) and the codes the fake uses, as
 * listed on docs.adyen.com/development-resources/error-codes. The library turns any non-2xx body
 * with a `status` field into an HttpClientException carrying errorCode and message.
 */
import { newPspReference } from './state.ts';

export type ErrorType = 'validation' | 'security' | 'configuration' | 'internal';

export class AdyenError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly errorType: ErrorType;

  constructor(status: number, errorCode: string, message: string, errorType: ErrorType = 'validation') {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.errorType = errorType;
  }

  /** The ServiceError body; validation and later errors carry a pspReference of their own, 401s none. */
  body(): Record<string, unknown> {
    const { status, errorCode, message, errorType } = this;
    return { status, errorCode, message, errorType, ...(status === 401 ? {} : { pspReference: newPspReference() }) };
  }

  toResponse(): Response {
    return Response.json(this.body(), { status: this.status });
  }
}

export const unauthorized = () => new AdyenError(401, '000', 'HTTP Status Response - Unauthorized', 'security');
export const invalidMerchantAccount = () => new AdyenError(403, '901', 'Invalid Merchant Account', 'security');
export const internalError = () => new AdyenError(500, '903', 'Internal error', 'internal');
export const notFound = (path: string) => new AdyenError(404, '000', `Not Found: ${path}`, 'validation');
export const unparsable = (detail: string) => new AdyenError(400, '702', `Unexpected input: ${detail}`);
/** Same Idempotency-Key, other request: Adyen's "Request already processed" code. */
export const idempotencyMismatch = () =>
  new AdyenError(422, '704', 'Request already processed or in progress (Idempotency-Key used with another request)');
/** A redirectResult that is forged, of another account, or already redeemed. */
export const invalidPayload = () => new AdyenError(422, '14_018', 'Invalid payload provided');
export const unknownPayment = () => new AdyenError(422, '167', 'Original pspReference required for this operation');
