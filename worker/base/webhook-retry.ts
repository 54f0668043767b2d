/**
 * The webhook retry schedule. Order objects follow it when they deliver; the merchant object reads
 * it to tell a failing endpoint from one that is merely between two tries.
 */

/**
 * Retries: one minute after the first failure, doubling up to twelve hours, the last try three days after the first.
 */
export const RETRY_FIRST_DELAY_SECONDS = 60;
export const RETRY_MAX_DELAY_SECONDS = 12 * 3600;
export const RETRY_WINDOW_SECONDS = 3 * 24 * 3600;

/** When to try again after the `tries`-th failed try, or null once the three days are over. */
export function nextRetryAt(firstTriedAt: number, tries: number, at: number): number | null {
  const deadline = firstTriedAt + RETRY_WINDOW_SECONDS;
  if (at >= deadline) return null;
  const delay = Math.min(RETRY_FIRST_DELAY_SECONDS * 2 ** Math.max(0, tries - 1), RETRY_MAX_DELAY_SECONDS);
  return Math.min(at + delay, deadline);
}
