/** What went wrong, as the checkout shows it to the shopper and tells the host. */
import { CheckoutApiError } from './checkout-api.ts';

export interface Problem {
  code: string;
  /** Empty when the server gave none; the UI then shows its own text. */
  message: string;
  /** Not an error, only news (the shopper closed WeChat's payment sheet). */
  gentle?: boolean;
  /** The session itself is over (a token refused, an order gone): retrying cannot help. */
  fatal?: boolean;
}

/** These mean the session itself is over; polling or retrying cannot fix them. */
export const isFatal = (error: unknown): boolean =>
  error instanceof CheckoutApiError && [401, 403, 404].includes(error.status);

export const asProblem = (error: unknown): Problem =>
  error instanceof CheckoutApiError
    ? { code: error.code, message: error.message, fatal: isFatal(error) }
    : { code: 'unexpected', message: '' };
