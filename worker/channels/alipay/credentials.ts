/**
 * The merchant's Alipay app, as the Alipay Open Platform console shows it: the app id, the
 * app's private key (the merchant generated the pair with Alipay's key tool and uploaded the
 * public half) and the Alipay public key the console shows back (it signs Alipay's answers and
 * notifications). Test mode takes the sandbox app's values, live mode the production app's.
 */
import { z } from 'zod';
import { describeRsaKey, privateKeyProblem, publicKeyProblem } from '../rsa.ts';

/** Longest key text accepted: a 4096-bit PEM is ~3.3 kB; anything far larger is not a key. */
const MAX_KEY_LENGTH = 8192;

/**
 * A key field. rsa.ts's problem reads after the field name ("… app_private_key: is a public
 * key …"); a problem with what was pasted gets a hint where to find the right text, while a
 * key-size problem is complete as it is.
 */
const keyField = (check: (text: string) => string | null, hint: string) =>
  z
    .string()
    .min(1)
    .max(MAX_KEY_LENGTH)
    .superRefine((text, ctx) => {
      const problem = check(text);
      if (problem)
        ctx.addIssue({ code: 'custom', message: problem.startsWith('must be') ? problem : `${problem} (${hint})` });
    });

// ---- the modulus, to tell the app's own public key from Alipay's ---------------------------------

/** Offset of the value and end of the DER TLV at `at` (keys were checked by rsa.ts already). */
function tlv(der: Uint8Array, at: number): { body: number; end: number } {
  let length = der[at + 1] ?? 0;
  let body = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[body + i] ?? 0);
    body += count;
  }
  return { body, end: body + length };
}

/** The RSA modulus INTEGER's bytes: PKCS#8 → PKCS#1 → n, or SPKI → BIT STRING → RSAPublicKey → n. */
function modulusHex(text: string): string | null {
  try {
    const { der, kind } = describeRsaKey(text);
    const outer = tlv(der, 0);
    const first = tlv(der, outer.body);
    let n: { body: number; end: number };
    if (kind === 'pkcs8' || kind === 'pkcs1') {
      const octets = tlv(der, tlv(der, first.end).end);
      const pkcs1 = tlv(der, octets.body);
      n = tlv(der, tlv(der, pkcs1.body).end);
    } else {
      const bits = tlv(der, first.end);
      n = tlv(der, tlv(der, bits.body + 1).body);
    }
    return Array.from(der.subarray(n.body, n.end), (byte) => byte.toString(16).padStart(2, '0')).join('');
  } catch {
    return null;
  }
}

export const AlipayCredentialsSchema = z
  .strictObject({
    // Alipay app ids are 16 digits (sandbox apps too). A partner id (2088…) is also 16 digits;
    // the gateway refuses it (isv.invalid-app-id), which the merchant learns on the first call.
    app_id: z
      .string()
      .regex(/^\d{16}$/, 'must be the 16-digit APPID of the Alipay app (Open Platform console → the app → APPID)'),
    app_private_key: keyField(
      privateKeyProblem,
      "paste the RSA2 app private key made with Alipay's key tool: " +
        'PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY", as PEM or bare base64',
    ),
    alipay_public_key: keyField(
      publicKeyProblem,
      'paste the "Alipay public key" (支付宝公钥) the console shows once the app public key is uploaded; it starts MIIBIjAN',
    ),
  })
  .superRefine((credentials, ctx) => {
    // The console shows both the app public key (应用公钥) and the Alipay public key (支付宝公钥);
    // taking the wrong one makes every answer from Alipay fail verification.
    const own = modulusHex(credentials.app_private_key);
    if (own !== null && own === modulusHex(credentials.alipay_public_key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['alipay_public_key'],
        message:
          'is the app public key (the pair of app_private_key), ' +
          'not the Alipay public key (支付宝公钥) the console shows once the app public key is uploaded',
      });
    }
  });

export type AlipayCredentials = z.infer<typeof AlipayCredentialsSchema>;
