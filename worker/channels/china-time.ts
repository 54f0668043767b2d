/**
 * China Standard Time (UTC+8, no daylight saving), the only clock Alipay and WeChat Pay read.
 * Workers run in UTC, so the offset is applied by hand.
 */
const OFFSET_MS = 8 * 3600 * 1000;
const two = (n: number): string => String(n).padStart(2, '0');

function parts(epochMs: number): { date: string; time: string } {
  const d = new Date(epochMs + OFFSET_MS);
  return {
    date: `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`,
    time: `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`,
  };
}

/** `yyyy-MM-dd HH:mm:ss`, Alipay's format (timestamps, time_expire). */
export function beijingTime(epochMs: number): string {
  const { date, time } = parts(epochMs);
  return `${date} ${time}`;
}

/** RFC 3339 with the +08:00 offset, WeChat Pay's format: unix seconds → `2024-01-01T12:00:00+08:00`. */
export function chinaTime(unixSeconds: number): string {
  const { date, time } = parts(unixSeconds * 1000);
  return `${date}T${time}+08:00`;
}
