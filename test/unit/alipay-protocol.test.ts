/**
 * The Alipay gateway protocol against known vectors: request signing, finding and verifying the
 * signed part of an answer, notification signatures (V1 rule), Beijing time and amounts.
 *
 * Vectors: test/fixtures/channels-vectors.json, a verbatim copy of shared/channels-vectors.json
 * (see shared/channels.md §5). `REAL_*` vectors were signed by Alipay (from alipay-sdk's own test
 * suite); the others with the WeChat Pay documentation's public test key.
 */
import { readFileSync } from 'node:fs';
import { AlipaySdk } from 'alipay-sdk';
import { describe, expect, it } from 'vitest';
import { MoneyError, parseDecimalString, toAlipayAmount } from '../../shared/money.ts';
import {
  extractAnswer,
  formParams,
  notificationSignContent,
  requestSignContent,
  responseKey,
  signRequest,
  subjectOf,
  topLevelMembers,
  verifyAnswer,
  verifyNotificationParams,
} from '../../worker/channels/alipay/protocol.ts';
import { beijingTime } from '../../worker/channels/china-time.ts';
import { FAKE_ALIPAY_PRIVATE_KEY } from '../fakes/keys.ts';

interface Vectors {
  alipay_request: { params: Record<string, string>; string_to_sign: string; sign: string };
  alipay_response: { signed_substring: string; body: string; sign: string };
  alipay_notify: { string_to_sign: string; form: Record<string, string>; x_www_form_urlencoded: string };
  REAL_alipay_notify_trade_v1: { alipay_public_key_spki_b64: string; form: Record<string, string> };
  REAL_alipay_sync_response: { alipay_public_key_pem: string; raw_body: string; signed_substring: string };
  wechat_doc_test_key: { private_key_pkcs8_pem: string; public_key_spki_pem: string };
}

const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/channels-vectors.json', import.meta.url), 'utf8'),
) as Vectors;
const testKey = vectors.wechat_doc_test_key;

describe('request signing', () => {
  const vector = vectors.alipay_request;

  it('builds the string to sign: sign left out, empty values dropped, sorted, raw values, sign_type kept', () => {
    expect(requestSignContent(vector.params)).toBe(vector.string_to_sign);
    expect(requestSignContent({ ...vector.params, sign: 'ignored' })).toBe(vector.string_to_sign);
  });

  it('reproduces the vector signature exactly and drops the empty parameter from what is sent', async () => {
    const signed = await signRequest(vector.params, testKey.private_key_pkcs8_pem);
    expect(signed.sign).toBe(vector.sign);
    expect(signed).not.toHaveProperty('app_auth_token');
    expect(signed.biz_content).toBe(vector.params.biz_content);
  });

  it('signs with a bare base64 PKCS#8 key as with its PEM', async () => {
    const bare = testKey.private_key_pkcs8_pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    expect((await signRequest(vector.params, bare)).sign).toBe(vector.sign);
  });
});

describe('answers', () => {
  it('finds the raw answer, \\/ escapes kept, and verifies it', async () => {
    const vector = vectors.alipay_response;
    const answer = extractAnswer(vector.body, 'alipay.trade.precreate');
    expect(answer).toEqual({ key: 'alipay_trade_precreate_response', raw: vector.signed_substring, sign: vector.sign });
    expect(answer.raw).toContain('https:\\/\\/qr.alipay.com');
    expect(await verifyAnswer(answer, testKey.public_key_spki_pem)).toBe(true);
  });

  it('verifies a real sandbox answer signed by Alipay, and agrees with alipay-sdk on the signed text', async () => {
    const vector = vectors.REAL_alipay_sync_response;
    const answer = extractAnswer(vector.raw_body, 'alipay.open.file.upload');
    expect(answer.raw).toBe(vector.signed_substring);
    const sdk = new AlipaySdk({
      appId: '2021000122671080',
      privateKey: FAKE_ALIPAY_PRIVATE_KEY,
      keyType: 'PKCS8',
      alipayPublicKey: vector.alipay_public_key_pem,
    });
    expect(sdk.getSignStr(vector.raw_body, responseKey('alipay.open.file.upload'))).toBe(answer.raw);
    expect(await verifyAnswer(answer, vector.alipay_public_key_pem)).toBe(true);
  });

  it('refuses an answer whose signed text or signature was changed, or that has none', async () => {
    const vector = vectors.alipay_response;
    const changed = extractAnswer(vector.body.replace('T20240101000001', 'T20240101000002'), 'alipay.trade.precreate');
    expect(await verifyAnswer(changed, testKey.public_key_spki_pem)).toBe(false);
    const unescaped = extractAnswer(vector.body.replaceAll('\\/', '/'), 'alipay.trade.precreate');
    // The Java SDK's fallback goes the other way (\/ → /), so a re-serialized answer fails.
    expect(await verifyAnswer(unescaped, testKey.public_key_spki_pem)).toBe(false);
    const resigned = extractAnswer(
      vector.body.replace(
        vector.sign,
        vector.sign.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
      ),
      'alipay.trade.precreate',
    );
    expect(await verifyAnswer(resigned, testKey.public_key_spki_pem)).toBe(false);
    const unsigned = extractAnswer(
      `{"alipay_trade_precreate_response":${vector.signed_substring}}`,
      'alipay.trade.precreate',
    );
    expect(unsigned.sign).toBeNull();
    expect(await verifyAnswer(unsigned, testKey.public_key_spki_pem)).toBe(false);
    expect(await verifyAnswer({ ...unsigned, sign: 'not base64!' }, testKey.public_key_spki_pem)).toBe(false);
  });

  it('reads members by JSON structure: braces and "sign" inside strings, whitespace, error_response', () => {
    const body =
      ` { "alipay_trade_query_response" : {"code":"40004","sub_msg":"a } \\"sign\\": { [","x":[1,{"y":"}"}],"n":null}` +
      ' , "sign":"c2ln" } ';
    const answer = extractAnswer(body, 'alipay.trade.query');
    expect(answer.raw).toBe('{"code":"40004","sub_msg":"a } \\"sign\\": { [","x":[1,{"y":"}"}],"n":null}');
    expect(answer.sign).toBe('c2ln');
    expect(extractAnswer('{"error_response":{"code":"40002"}}', 'alipay.trade.query')).toEqual({
      key: 'error_response',
      raw: '{"code":"40002"}',
      sign: null,
    });
    expect([...topLevelMembers('{"a":1,"b":"x","c":true}').entries()]).toEqual([
      ['a', '1'],
      ['b', '"x"'],
      ['c', 'true'],
    ]);
  });

  it.each([
    ['not JSON', 'Bad Gateway'],
    ['no answer for the method', '{"other_response":{"code":"10000"},"sign":"x"}'],
    [
      'a member twice',
      '{"alipay_trade_query_response":{"code":"10000"},"alipay_trade_query_response":{"code":"40004"},"sign":"x"}',
    ],
    ['trailing text', '{"alipay_trade_query_response":{"code":"10000"}} extra'],
    ['an unterminated string', '{"alipay_trade_query_response":{"code":"10000}}'],
    ['unbalanced braces', '{"alipay_trade_query_response":{"code":"10000"'],
    ['a non-string sign', '{"alipay_trade_query_response":{"code":"10000"},"sign":1}'],
    ['an answer that is not an object', '{"alipay_trade_query_response":"10000","sign":"x"}'],
  ])('refuses %s', (_, body) => {
    expect(() => extractAnswer(body, 'alipay.trade.query')).toThrow(
      expect.objectContaining({ name: 'TillError', code: 'channel_error' }),
    );
  });
});

describe('notifications (V1 rule)', () => {
  it('verifies a real Alipay notification without sign_type, and not with it', async () => {
    const vector = vectors.REAL_alipay_notify_trade_v1;
    expect(await verifyNotificationParams(vector.form, vector.alipay_public_key_spki_b64)).toBe(true);
    const { sign, ...withSignType } = vector.form;
    const { verifyRsaSha256 } = await import('../../worker/channels/rsa.ts');
    expect(await verifyRsaSha256(vector.alipay_public_key_spki_b64, requestSignContent(withSignType), sign!)).toBe(
      false,
    );
  });

  it('refuses the real notification once any value changes', async () => {
    const vector = vectors.REAL_alipay_notify_trade_v1;
    expect(
      await verifyNotificationParams({ ...vector.form, total_amount: '100.10' }, vector.alipay_public_key_spki_b64),
    ).toBe(false);
    expect(
      await verifyNotificationParams(
        { ...vector.form, out_trade_no: 'someone-else' },
        vector.alipay_public_key_spki_b64,
      ),
    ).toBe(false);
    expect(
      await verifyNotificationParams({ ...vector.form, sign_type: 'RSA' }, vector.alipay_public_key_spki_b64),
    ).toBe(false);
    const { sign: _, ...unsigned } = vector.form;
    expect(await verifyNotificationParams(unsigned, vector.alipay_public_key_spki_b64)).toBe(false);
  });

  it('reads the url-encoded vector form, builds its string to sign and verifies it', async () => {
    const vector = vectors.alipay_notify;
    const params = formParams(new URLSearchParams(vector.x_www_form_urlencoded));
    expect(params).toEqual(vector.form);
    expect(notificationSignContent(params!)).toBe(vector.string_to_sign);
    expect(await verifyNotificationParams(params!, testKey.public_key_spki_pem)).toBe(true);
  });

  it('refuses a form that repeats a field', () => {
    expect(formParams(new URLSearchParams('a=1&b=2&a=3'))).toBeNull();
  });
});

describe('Beijing time', () => {
  it('formats any instant as yyyy-MM-dd HH:mm:ss at UTC+8, across day and year ends', () => {
    expect(beijingTime(Date.UTC(2024, 0, 1, 4, 0, 0))).toBe('2024-01-01 12:00:00');
    expect(beijingTime(Date.UTC(2023, 11, 31, 16, 0, 0))).toBe('2024-01-01 00:00:00');
    expect(beijingTime(Date.UTC(2023, 11, 31, 15, 59, 59, 999))).toBe('2023-12-31 23:59:59');
    expect(beijingTime(Date.UTC(2024, 1, 28, 20, 5, 9))).toBe('2024-02-29 04:05:09');
    // No daylight saving time in China: July is +8 as well.
    expect(beijingTime(Date.UTC(2024, 6, 1, 0, 0, 0))).toBe('2024-07-01 08:00:00');
    expect(beijingTime(Date.now())).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });
});

describe('amounts and subjects', () => {
  it('writes fen as yuan with two decimals and reads them back exactly', () => {
    expect(toAlipayAmount(1, 'CNY')).toBe('0.01');
    expect(toAlipayAmount(10, 'CNY')).toBe('0.10');
    expect(toAlipayAmount(100, 'CNY')).toBe('1.00');
    expect(toAlipayAmount(8888, 'CNY')).toBe('88.88');
    expect(toAlipayAmount(10_000_000_000, 'CNY')).toBe('100000000.00');
    expect(parseDecimalString('88.88', 'CNY')).toBe(8888);
    expect(parseDecimalString('0.1', 'CNY')).toBe(10);
    expect(parseDecimalString('100000000.00', 'CNY')).toBe(10_000_000_000);
    for (const fen of [1, 9, 10, 99, 101, 123456789, 9_999_999_999])
      expect(parseDecimalString(toAlipayAmount(fen, 'CNY'), 'CNY')).toBe(fen);
  });

  it('refuses what would need rounding or is not a plain decimal, and other currencies', () => {
    for (const text of ['0.001', '1.234', '-1.00', '1e2', ' 1.00', '01.00', '1,00', '']) {
      expect(() => parseDecimalString(text, 'CNY'), text).toThrow(MoneyError);
    }
    expect(() => toAlipayAmount(100, 'USD')).toThrow(MoneyError);
  });

  it('keeps a subject to 256 whole characters', () => {
    expect(subjectOf('  Tote bag  ')).toBe('Tote bag');
    expect(Array.from(subjectOf('测'.repeat(300)))).toHaveLength(256);
    expect(subjectOf(`${'a'.repeat(255)}😀😀`)).toBe(`${'a'.repeat(255)}😀`);
  });
});
