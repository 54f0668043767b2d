import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSignatureHeader, SignatureError, signPayload, verifyPayload } from '../../shared/signature.ts';

const secret = 'whsec_0123456789abcdefghijklmnop';
const body = '{"id":"evt_1","type":"order.paid"}';
const t = 1_800_000_000;

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof SignatureError ? error.reason : String(error);
  }
  return 'accepted';
}

describe('webhook signatures', () => {
  it('matches an HMAC-SHA256 over "t.body" computed independently', async () => {
    const header = await signPayload(body, secret, t);
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${expected}`);
  });

  it('verifies its own signatures inside the tolerance', async () => {
    const header = await signPayload(body, secret, t);
    await expect(verifyPayload(body, header, secret, { now: t + 299 })).resolves.toEqual({
      timestamp: t,
      signatures: [expect.any(String)],
    });
  });

  it('refuses stale, tampered, foreign and malformed signatures with exact reasons', async () => {
    const header = await signPayload(body, secret, t);
    expect(await failure(verifyPayload(body, header, secret, { now: t + 301 }))).toBe('timestamp_outside_tolerance');
    expect(await failure(verifyPayload(`${body} `, header, secret, { now: t }))).toBe('no_matching_signature');
    expect(await failure(verifyPayload(body, header, `${secret}x`, { now: t }))).toBe('no_matching_signature');
    expect(await failure(verifyPayload(body, null, secret, { now: t }))).toBe('missing_header');
    expect(await failure(verifyPayload(body, 'v1=abc', secret, { now: t }))).toBe('malformed_header');
    expect(await failure(verifyPayload(body, `t=${t}`, secret, { now: t }))).toBe('malformed_header');
  });

  it('accepts any of several v1 signatures (secret rotation)', async () => {
    const good = await signPayload(body, secret, t);
    const other = await signPayload(body, 'another_secret_of_enough_length', t);
    const combined = `${other},${good.split(',')[1]}`;
    await expect(verifyPayload(body, combined, secret, { now: t })).resolves.toBeTruthy();
  });

  it('parses headers strictly', () => {
    expect(() => parseSignatureHeader('t=abc,v1=00')).toThrow('signature timestamp must be unix seconds');
  });

  it('never verifies a body it did not sign (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string(), async (signed, sent) => {
        fc.pre(signed !== sent);
        const header = await signPayload(signed, secret, t);
        expect(await failure(verifyPayload(sent, header, secret, { now: t }))).toBe('no_matching_signature');
      }),
      { numRuns: 50 },
    );
  });
});
