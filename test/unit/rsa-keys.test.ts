/**
 * The RSA key reader every RSA channel shares: formats merchants paste (PKCS#8, PKCS#1, SPKI, an
 * X.509 certificate, PEM or bare base64), the exact refusals, and signatures checked against the
 * WeChat Pay documentation's published test key and node:crypto.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  describeRsaKey,
  privateKeyProblem,
  publicKeyProblem,
  signRsaSha256,
  verifyRsaSha256,
} from '../../worker/channels/rsa.ts';
import {
  ALIPAY_APP_PRIVATE_KEY_PKCS1,
  ALIPAY_APP_PUBLIC_KEY,
  FAKE_WECHAT_CERT_PRIVATE_KEY,
  FAKE_WECHAT_CERTIFICATE,
} from '../fakes/keys.ts';

const vectors = JSON.parse(readFileSync('test/fixtures/channels-vectors.json', 'utf8')) as {
  wechat_doc_test_key: { private_key_pkcs8_pem: string; public_key_spki_pem: string };
  wechat_request_get: { string_to_sign: string; signature: string };
  wechat_request_post: { string_to_sign: string; signature: string };
};
const docKey = vectors.wechat_doc_test_key;
const bare = (pem: string): string => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

describe('RSA keys as merchants paste them', () => {
  it('reads each format and the modulus size', () => {
    expect(describeRsaKey(docKey.private_key_pkcs8_pem)).toMatchObject({
      kind: 'pkcs8',
      bits: 2048,
      label: 'PRIVATE KEY',
    });
    expect(describeRsaKey(ALIPAY_APP_PRIVATE_KEY_PKCS1)).toMatchObject({
      kind: 'pkcs1',
      bits: 2048,
      label: 'RSA PRIVATE KEY',
    });
    expect(describeRsaKey(bare(ALIPAY_APP_PRIVATE_KEY_PKCS1))).toMatchObject({ kind: 'pkcs1', label: null });
    expect(describeRsaKey(docKey.public_key_spki_pem)).toMatchObject({ kind: 'spki', bits: 2048 });
    expect(describeRsaKey(FAKE_WECHAT_CERTIFICATE)).toMatchObject({ kind: 'certificate', bits: 2048 });
  });

  it('wraps PKCS#1 in the PKCS#8 envelope node:crypto reads as the same key', () => {
    const wrapped = describeRsaKey(ALIPAY_APP_PRIVATE_KEY_PKCS1).der;
    const fromWrapped = createPrivateKey({ key: Buffer.from(wrapped), format: 'der', type: 'pkcs8' });
    const original = createPrivateKey(ALIPAY_APP_PRIVATE_KEY_PKCS1);
    expect(fromWrapped.export({ format: 'jwk' })).toEqual(original.export({ format: 'jwk' }));
  });

  it('finds the certificate’s public key', () => {
    const spki = describeRsaKey(FAKE_WECHAT_CERTIFICATE).der;
    const expected = createPublicKey(FAKE_WECHAT_CERTIFICATE).export({ format: 'der', type: 'spki' });
    expect(Buffer.from(spki).equals(expected)).toBe(true);
  });

  it('refuses with exact messages', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(privateKeyProblem(small.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string)).toBe(
      'must be a 2048-bit RSA key (RSA2), got 1024-bit',
    );
    expect(publicKeyProblem(small.publicKey.export({ type: 'spki', format: 'pem' }) as string)).toBe(
      'must be a 2048-bit RSA key, got 1024-bit',
    );
    expect(privateKeyProblem(ALIPAY_APP_PUBLIC_KEY)).toBe('is a public key or certificate: paste the private key');
    expect(publicKeyProblem(docKey.private_key_pkcs8_pem)).toBe(
      'is a private key: paste the public key (it must never be shared this way)',
    );
    const mislabelled = docKey.private_key_pkcs8_pem.replaceAll('PRIVATE KEY', 'RSA PRIVATE KEY');
    expect(privateKeyProblem(mislabelled)).toBe('is labelled PKCS#1 (RSA PRIVATE KEY) but holds a PKCS#8 key');
    expect(privateKeyProblem('-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----')).toBe(
      'is encrypted: export the key without a passphrase',
    );
    expect(privateKeyProblem('-----BEGIN PRIVATE KEY-----\nMIIB')).toBe('is a PEM block without a matching END line');
    expect(privateKeyProblem('not a key')).toBe('is neither PEM nor base64');
    expect(privateKeyProblem(bare(docKey.private_key_pkcs8_pem).slice(0, 400))).toBe('is truncated');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    expect(privateKeyProblem(ec)).toBe('is a PKCS#8 key but not an RSA key');
    expect(privateKeyProblem(docKey.private_key_pkcs8_pem)).toBeNull();
    expect(privateKeyProblem(ALIPAY_APP_PRIVATE_KEY_PKCS1)).toBeNull();
    expect(publicKeyProblem(FAKE_WECHAT_CERTIFICATE)).toBeNull();
  });
});

describe('SHA256withRSA', () => {
  it('reproduces the WeChat Pay documentation’s signatures with its published test key', async () => {
    for (const vector of [vectors.wechat_request_get, vectors.wechat_request_post]) {
      expect(await signRsaSha256(docKey.private_key_pkcs8_pem, vector.string_to_sign)).toBe(vector.signature);
      expect(await verifyRsaSha256(docKey.public_key_spki_pem, vector.string_to_sign, vector.signature)).toBe(true);
    }
  });

  it('agrees with node:crypto across formats, and refuses a changed message or a malformed signature', async () => {
    const message = '1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{"amount":199}\n';
    const signature = await signRsaSha256(FAKE_WECHAT_CERT_PRIVATE_KEY, message);
    expect(signature).toBe(nodeSign('sha256', Buffer.from(message), FAKE_WECHAT_CERT_PRIVATE_KEY).toString('base64'));
    expect(await verifyRsaSha256(FAKE_WECHAT_CERTIFICATE, message, signature)).toBe(true);
    expect(await verifyRsaSha256(FAKE_WECHAT_CERTIFICATE, message.replace('199', '198'), signature)).toBe(false);
    expect(await verifyRsaSha256(FAKE_WECHAT_CERTIFICATE, message, 'WECHATPAY/SIGNTEST/abc')).toBe(false);
    const pkcs1 = await signRsaSha256(bare(ALIPAY_APP_PRIVATE_KEY_PKCS1), message);
    expect(await verifyRsaSha256(bare(ALIPAY_APP_PUBLIC_KEY), message, pkcs1)).toBe(true);
  });
});
