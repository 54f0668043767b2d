/** The QR code's countdown, pure: what it shows and when a screen reader hears about it. */

/** Whole seconds until `expiresAt` (ms), rounded up so 00:00 is the moment of expiry. */
export const secondsLeft = (expiresAt: number, now: number): number => Math.max(0, Math.ceil((expiresAt - now) / 1000));

const pad = (value: number): string => String(value).padStart(2, '0');

/** mm:ss, and h:mm:ss for a code that lives an hour or more. */
export function clock(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = `${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  return hours ? `${hours}:${minutes}` : minutes;
}

/**
 * What the polite live region holds: it changes only when the last minute starts and at expiry,
 * so the shopper hears two announcements rather than one a second.
 */
export const countdownNotice = (seconds: number | null): 'soon' | 'expired' | null =>
  seconds === null || seconds > 60 ? null : seconds ? 'soon' : 'expired';
