/** When to try again, and how long to wait first. */

export const BASE_DELAY_MS = 500;
export const MAX_DELAY_MS = 8_000;
/** A `Retry-After` longer than this is not waited out: the error is thrown instead. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Exponential backoff with equal jitter: half the step fixed, half random (0.5 s, 1 s, 2 s … at most 8 s). */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  const step = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** retry);
  return Math.round(step / 2 + random() * (step / 2));
}

/** `Retry-After` as delta-seconds or an HTTP date, in milliseconds from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Statuses worth another try of the same request (with the same idempotency key). */
export function isRetryableStatus(status: number, code: string | undefined): boolean {
  return status >= 500 || status === 429 || (status === 409 && code === 'idempotency_key_in_use');
}
