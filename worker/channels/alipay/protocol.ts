/**
 * The Alipay Open Platform gateway protocol (RSA2): the strings that get signed and finding the
 * signed part of an answer. Pure functions over strings; the RSA work is rsa.ts's. (See
 * shared/channels.md §1 for the rules and the vectors these are tested against.)
 */
import { TillError } from '../../../shared/errors.ts';
import { signRsaSha256, verifyRsaSha256 } from '../rsa.ts';

export type AlipayParams = Record<string, string>;

/** Alipay's longest subject. */
const MAX_SUBJECT = 256;

/** An order's description as Alipay's subject: trimmed, at most 256 whole code points. */
export function subjectOf(description: string): string {
  return Array.from(description.trim()).slice(0, MAX_SUBJECT).join('');
}

// Keys are ASCII, so comparing UTF-16 code units is Alipay's "ASCII ascending" order.
const ascii = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `k=v&…` over the non-empty params not in `without`, sorted by key, values raw (not encoded). */
function signContent(params: AlipayParams, without: readonly string[]): string {
  return Object.keys(params)
    .filter((key) => !without.includes(key) && params[key] !== '')
    .sort(ascii)
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

/** What a request signs: every parameter (common ones and biz_content) but `sign`; `sign_type` included. */
export const requestSignContent = (params: AlipayParams): string => signContent(params, ['sign']);

/**
 * What an asynchronous trade notification (and a return_url redirect) signs: the "V1" rule, without
 * `sign` and `sign_type`.
 */
export const notificationSignContent = (params: AlipayParams): string => signContent(params, ['sign', 'sign_type']);

/** The params with empty values dropped (never sent) and `sign` added. */
export async function signRequest(params: AlipayParams, appPrivateKey: string): Promise<AlipayParams> {
  const sent = Object.fromEntries(Object.entries(params).filter(([key, value]) => key !== 'sign' && value !== ''));
  return { ...sent, sign: await signRsaSha256(appPrivateKey, requestSignContent(sent)) };
}

/**
 * Reads a form (a notification's body, a redirect's query) into params, refusing a key given
 * twice: which of two values a signature covers would be a guess.
 */
export function formParams(form: URLSearchParams): AlipayParams | null {
  const params: AlipayParams = {};
  for (const [key, value] of form) {
    if (Object.hasOwn(params, key)) return null;
    params[key] = value;
  }
  return params;
}

/** Whether a notification's (or redirect's) params carry Alipay's V1 signature. */
export async function verifyNotificationParams(params: AlipayParams, alipayPublicKey: string): Promise<boolean> {
  const sign = params.sign;
  if (!sign) return false;
  if (params.sign_type !== undefined && params.sign_type !== 'RSA2') return false;
  return verifyRsaSha256(alipayPublicKey, notificationSignContent(params), sign);
}

// ---- synchronous answers -----------------------------------------------------------------------

const fail = (message: string): never => {
  throw new TillError('channel_error', message);
};

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

function skipWhitespace(text: string, at: number): number {
  while (at < text.length && WHITESPACE.has(text.charAt(at))) at++;
  return at;
}

/** End (exclusive) of the JSON string starting at `at` (a `"`), escapes respected. */
function stringEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return fail("Alipay's answer is not JSON (an unterminated string)");
}

/** End (exclusive) of the JSON value starting at `at`: brace matching that skips over strings. */
function valueEnd(text: string, at: number): number {
  const first = text[at];
  if (first === '"') return stringEnd(text, at);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const c = text[i];
      if (c === '"') i = stringEnd(text, i) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return fail("Alipay's answer is not JSON (unbalanced braces)");
  }
  let i = at;
  while (i < text.length && !WHITESPACE.has(text.charAt(i)) && text[i] !== ',' && text[i] !== '}') i++;
  return i > at ? i : fail("Alipay's answer is not JSON (a value is missing)");
}

/**
 * The raw text of each member of the top-level JSON object, exactly as sent: Alipay signs the
 * bytes of `…_response`'s value, escapes such as `\/` included, so parsing and serializing again
 * would change what the signature covers.
 */
export function topLevelMembers(text: string): Map<string, string> {
  const members = new Map<string, string>();
  let at = skipWhitespace(text, 0);
  if (text[at] !== '{') fail("Alipay's answer is not a JSON object");
  at = skipWhitespace(text, at + 1);
  if (text[at] === '}') return members;
  for (;;) {
    if (text[at] !== '"') fail("Alipay's answer is not JSON (a key is expected)");
    const keyEnd = stringEnd(text, at);
    const key = JSON.parse(text.slice(at, keyEnd)) as string;
    at = skipWhitespace(text, keyEnd);
    if (text[at] !== ':') fail("Alipay's answer is not JSON (a colon is expected)");
    at = skipWhitespace(text, at + 1);
    const end = valueEnd(text, at);
    // A key given twice makes "the" signed value ambiguous.
    if (members.has(key)) fail(`Alipay's answer has ${key} twice`);
    members.set(key, text.slice(at, end));
    at = skipWhitespace(text, end);
    if (text[at] === ',') {
      at = skipWhitespace(text, at + 1);
      continue;
    }
    if (text[at] === '}' && skipWhitespace(text, at + 1) === text.length) return members;
    fail("Alipay's answer is not JSON (trailing text)");
  }
}

/** The answer's member name for a method: `alipay.trade.query` → `alipay_trade_query_response`. */
export const responseKey = (method: string): string => `${method.replaceAll('.', '_')}_response`;

export interface SignedAnswer {
  /** `…_response` or `error_response`. */
  key: string;
  /** The member's value exactly as sent: what the signature covers. */
  raw: string;
  /** The `sign` member, when there is one. */
  sign: string | null;
}

/** Finds the method's answer (or a gateway `error_response`) and its signature in a gateway reply. */
export function extractAnswer(body: string, method: string): SignedAnswer {
  const members = topLevelMembers(body);
  const key = members.has(responseKey(method)) ? responseKey(method) : 'error_response';
  const raw = members.get(key) ?? fail(`Alipay's answer has no ${responseKey(method)}`);
  if (!raw.startsWith('{')) fail(`Alipay's ${key} is not an object`);
  const signText = members.get('sign');
  let sign: string | null = null;
  if (signText !== undefined) {
    const parsed = JSON.parse(signText) as unknown;
    if (typeof parsed !== 'string') fail("Alipay's sign is not a string");
    sign = parsed as string;
  }
  return { key, raw, sign };
}

/**
 * Whether Alipay signed the answer. The raw text first, as the protocol says; then, as Alipay's
 * Java SDK does, with `\/` unescaped, for answers whose signature was made before escaping.
 */
export async function verifyAnswer(answer: SignedAnswer, alipayPublicKey: string): Promise<boolean> {
  if (!answer.sign) return false;
  if (await verifyRsaSha256(alipayPublicKey, answer.raw, answer.sign)) return true;
  return answer.raw.includes('\\/') && verifyRsaSha256(alipayPublicKey, answer.raw.replaceAll('\\/', '/'), answer.sign);
}
