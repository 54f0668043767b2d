/**
 * Query strings in the API's bracket form: `created[gte]=1700000000&metadata[cart]=42`. Brackets
 * stay literal (as the API documents them); names and values inside them are percent-encoded.
 */

export type QueryValue = string | number | boolean | undefined | null | Record<string, string | number | undefined>;

const encode = (text: string): string => encodeURIComponent(text);

/** `?a=1&b[c]=2`, or the empty string when nothing is set. Keys keep the order given. */
export function encodeQuery(params: Record<string, QueryValue>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (inner !== undefined) parts.push(`${encode(name)}[${encode(key)}]=${encode(String(inner))}`);
      }
    } else {
      parts.push(`${encode(name)}=${encode(String(value))}`);
    }
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}
