import { env, SELF } from 'cloudflare:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../shared/encoding.ts';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import { type RequestSigningKey, signRequest } from '../../shared/request-signature.ts';
import type { MerchantWithKeys } from '../../shared/schemas.ts';
import { call, createMerchant, ORIGIN } from './helpers.ts';

async function signingMerchant(): Promise<MerchantWithKeys> {
  const merchant = await createMerchant();
  const updated = await call(`/v1/admin/merchants/${merchant.id}`, {
    key: env.TILL_ADMIN_KEY,
    body: { require_signed_requests: true },
  });
  expect(updated.status).toBe(200);
  return merchant;
}

const orderBody = JSON.stringify({ amount: 1200, currency: 'EUR', description: 'Signed order' });

async function signedCall(
  merchant: MerchantWithKeys,
  key: RequestSigningKey | null,
  options: {
    method?: string;
    path?: string;
    body?: string;
    timestamp?: number;
    nonce?: string;
    tamper?: (body: string) => string;
  } = {},
) {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/v1/orders';
  const body = method === 'GET' ? '' : (options.body ?? orderBody);
  const headers: Record<string, string> = { authorization: `Bearer ${merchant.secret_key}` };
  if (method !== 'GET') headers['content-type'] = 'application/json';
  if (key) {
    const signOptions: { timestamp?: number; nonce?: string } = {};
    if (options.timestamp !== undefined) signOptions.timestamp = options.timestamp;
    if (options.nonce !== undefined) signOptions.nonce = options.nonce;
    headers['till-signature'] = await signRequest({ method, pathWithQuery: path, body }, key, signOptions);
  }
  const sent = options.tamper ? options.tamper(body) : body;
  const response = await SELF.fetch(`${ORIGIN}${path}`, {
    method,
    headers,
    ...(method === 'GET' ? {} : { body: sent }),
  });
  return { status: response.status, body: (await response.json()) as ErrorEnvelope & Record<string, unknown> };
}

describe('signed requests', () => {
  it('accepts an HMAC-signed request and refuses an unsigned one when the merchant requires signatures', async () => {
    const merchant = await signingMerchant();
    const unsigned = await signedCall(merchant, null);
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error.code).toBe('missing_signature');
    const signed = await signedCall(merchant, { secret: merchant.request_signing_secret });
    expect(signed.status).toBe(201);
    const listed = await signedCall(
      merchant,
      { secret: merchant.request_signing_secret },
      { method: 'GET', path: '/v1/orders?limit=5&currency=EUR' },
    );
    expect(listed.status).toBe(200);
  });

  it('says exactly why a signature is refused', async () => {
    const merchant = await signingMerchant();
    const secret = { secret: merchant.request_signing_secret };
    const wrongSecret = await signedCall(merchant, { secret: 'rssec_not_the_merchant_secret_000' });
    expect([wrongSecret.status, wrongSecret.body.error.code]).toEqual([401, 'invalid_signature']);
    const tampered = await signedCall(merchant, secret, { tamper: (body) => body.replace('1200', '1') });
    expect([tampered.status, tampered.body.error.code]).toEqual([401, 'invalid_signature']);
    const stale = await signedCall(merchant, secret, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect([stale.status, stale.body.error.code]).toEqual([401, 'signature_outside_window']);
    const future = await signedCall(merchant, secret, { timestamp: Math.floor(Date.now() / 1000) + 301 });
    expect(future.body.error.code).toBe('signature_outside_window');
    const nonce = `nonce_${crypto.randomUUID().replaceAll('-', '')}`;
    expect((await signedCall(merchant, secret, { nonce })).status).toBe(201);
    const replayed = await signedCall(merchant, secret, { nonce });
    expect([replayed.status, replayed.body.error.code]).toEqual([401, 'nonce_replayed']);
    const malformed = await SELF.fetch(`${ORIGIN}/v1/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${merchant.secret_key}`,
        'content-type': 'application/json',
        'till-signature': 't=abc,v1=00',
      },
      body: orderBody,
    });
    const malformedBody = (await malformed.json()) as ErrorEnvelope;
    expect([malformed.status, malformedBody.error.code]).toEqual([401, 'invalid_signature']);
    expect(malformedBody.error.message).toContain('malformed');
  });

  it('verifies Ed25519 signatures with the public key the merchant registered', async () => {
    const merchant = await signingMerchant();
    const registered = ed25519.keygen();
    const other = ed25519.keygen();
    const update = await call(`/v1/merchant`, {
      key: merchant.secret_key,
      // This call itself must be signed: the merchant requires it.
      headers: {
        'content-type': 'application/json',
        'till-signature': await signRequest(
          {
            method: 'POST',
            pathWithQuery: '/v1/merchant',
            body: JSON.stringify({ signing_public_keys: [{ kid: 'k1', x: toBase64Url(registered.publicKey) }] }),
          },
          { secret: merchant.request_signing_secret },
        ),
      },
      rawBody: JSON.stringify({ signing_public_keys: [{ kid: 'k1', x: toBase64Url(registered.publicKey) }] }),
      method: 'POST',
    });
    expect(update.status, JSON.stringify(update.body)).toBe(200);
    const good = await signedCall(merchant, { privateKey: registered.secretKey, kid: 'k1' });
    expect(good.status).toBe(201);
    const withoutKid = await signedCall(merchant, { privateKey: registered.secretKey });
    expect(withoutKid.status).toBe(201);
    const wrongKey = await signedCall(merchant, { privateKey: other.secretKey, kid: 'k1' });
    expect([wrongKey.status, wrongKey.body.error.code]).toEqual([401, 'invalid_signature']);
    const unknownKid = await signedCall(merchant, { privateKey: registered.secretKey, kid: 'k2' });
    expect(unknownKid.body.error.message).toContain('No registered Ed25519 key has kid k2');
  });

  it('checks a signature sent by a merchant that does not require them', async () => {
    const merchant = await createMerchant();
    const bad = await signedCall(merchant, { secret: 'rssec_not_the_merchant_secret_000' });
    expect(bad.body.error?.code).toBe('invalid_signature');
    expect((await signedCall(merchant, { secret: merchant.request_signing_secret })).status).toBe(201);
  });
});
