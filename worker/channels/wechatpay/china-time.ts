/** WeChat Pay writes times as RFC 3339 in China Standard Time (UTC+8, no daylight saving). */

const pad = (n: number): string => String(n).padStart(2, '0');

/** Unix seconds → `2024-01-01T12:00:00+08:00`. Workers run in UTC, so the offset is applied by hand. */
export function chinaTime(unixSeconds: number): string {
  const d = new Date((unixSeconds + 8 * 3600) * 1000);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+08:00`
  );
}
