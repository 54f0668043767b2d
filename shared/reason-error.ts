/**
 * The base of every error that says *why* a check failed as a fixed word (`reason`) callers can
 * switch on, beside a message for people: signatures, tokens, signed requests, and the SDK's
 * webhook and receipt checks. Each subclass names its own union of reasons and its own `name`,
 * so `instanceof` still tells them apart and the type of `reason` stays exact.
 *
 *     export class SignatureError extends ReasonError<SignatureFailure> {
 *       override name = 'SignatureError';
 *     }
 *
 * `TillError` (shared/errors.ts) is not one: its `code` picks an HTTP status and envelope type,
 * and a second name for the same word would leave two fields to keep in step.
 */
export abstract class ReasonError<Reason extends string> extends Error {
  readonly reason: Reason;

  constructor(reason: Reason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}
