import { createHmac, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TillWebhookError, verifyWebhook, verifyWebhookWithJwks as sdkVerifyWithJwks } from '../../sdk/index.ts';
import { fromBase64Url } from '../../shared/encoding.ts';
import { generateSigningKey, publicJwk } from '../../shared/jws.ts';
import { parseSignatureHeader, SignatureError } from '../../shared/signature.ts';
import { parseEd25519Parts, signWebhook, verifyWebhookWithJwks, verifyWebhookWithSecret } from '../../shared/webhook-signature.ts';

const secret = 'whsec_0123456789abcdefghijklmnop';
const rolled = 'whsec_ponmlkjihgfedcba9876543210';
const t = 1_800_000_000;
const body = JSON.stringify({ id: 'evt_1', type: 'order.paid' });
const key = await generateSigningKey();
const other = await generateSigningKey();
const jwks = [publicJwk(other), publicJwk(key)];

async function failure(work: () => unknown): Promise<string> {
  try {
    await work();
  } catch (error) {
    return error instanceof SignatureError || error instanceof TillWebhookError ? error.reason : String(error);
  }
  return 'accepted';
}

const sign = (secrets: string[] = [secret], timestamp = t) => signWebhook(body, { secrets, key, timestamp });

describe('webhook signatures: HMAC and Ed25519', () => {
  it('writes both signatures over "<t>.<body>", each checkable without Till code', async () => {
    const header = await sign();
    const expectedMac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(header).toMatch(new RegExp(`^t=${t},v1=${expectedMac},ed25519=[A-Za-z0-9_-]{86},kid=${key.kid}$`));
    const { signature } = parseEd25519Parts(header);
    const publicKey = createPublicKey({ key: publicJwk(key), format: 'jwk' });
    expect(nodeVerify(null, Buffer.from(`${t}.${body}`), publicKey, Buffer.from(fromBase64Url(signature)))).toBe(true);
  });

  it('verifies both ways inside the window, whichever key of the JWKS signed', async () => {
    const header = await sign();
    await expect(verifyWebhookWithSecret(body, header, secret, { now: t + 299 })).resolves.toMatchObject({ timestamp: t });
    expect(verifyWebhookWithJwks(body, header, jwks, { now: t - 299 })).toEqual({ timestamp: t, kid: key.kid, signature: expect.any(String) });
    // The sandbox's and request signatures' parser still reads the header: extra parts are skipped.
    expect(parseSignatureHeader(header).signatures).toHaveLength(1);
  });

  it('signs with every secret given, so a rolled secret and its predecessor both verify', async () => {
    const header = await sign([rolled, secret]);
    expect(header.match(/,v1=/g)).toHaveLength(2);
    for (const candidate of [rolled, secret]) await expect(verifyWebhookWithSecret(body, header, candidate, { now: t })).resolves.toBeTruthy();
    expect(await failure(() => verifyWebhookWithSecret(body, header, `${secret}x`, { now: t }))).toBe('no_matching_signature');
  });

  it('refuses tampered bodies, timestamps and signatures', async () => {
    const header = await sign();
    const tampered = body.replace('paid', 'pain');
    expect(await failure(() => verifyWebhookWithSecret(tampered, header, secret, { now: t }))).toBe('no_matching_signature');
    expect(await failure(() => verifyWebhookWithJwks(tampered, header, jwks, { now: t }))).toBe('no_matching_signature');
    // A moved timestamp breaks both signatures, even inside the window.
    const moved = header.replace(`t=${t}`, `t=${t + 1}`);
    expect(await failure(() => verifyWebhookWithSecret(body, moved, secret, { now: t }))).toBe('no_matching_signature');
    expect(await failure(() => verifyWebhookWithJwks(body, moved, jwks, { now: t }))).toBe('no_matching_signature');
    const { signature } = parseEd25519Parts(header);
    const flipped = header.replace(signature, `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`);
    expect(await failure(() => verifyWebhookWithJwks(body, flipped, jwks, { now: t }))).toBe('no_matching_signature');
    // Another Till's key under this kid does not pass.
    const impostor = await signWebhook(body, { secrets: [secret], key: { d: other.d, kid: key.kid }, timestamp: t });
    expect(await failure(() => verifyWebhookWithJwks(body, impostor, jwks, { now: t }))).toBe('no_matching_signature');
  });

  it('refuses an unknown kid and a timestamp outside the window', async () => {
    const header = await sign();
    expect(await failure(() => verifyWebhookWithJwks(body, header, [publicJwk(other)], { now: t }))).toBe('unknown_key');
    expect(await failure(() => verifyWebhookWithJwks(body, header.replace(key.kid, 'retired-key'), jwks, { now: t }))).toBe('unknown_key');
    expect(await failure(() => verifyWebhookWithJwks(body, header, jwks, { now: t + 301 }))).toBe('timestamp_outside_tolerance');
    expect(await failure(() => verifyWebhookWithJwks(body, header, jwks, { now: t - 301 }))).toBe('timestamp_outside_tolerance');
    expect(await failure(() => verifyWebhookWithSecret(body, header, secret, { now: t + 301 }))).toBe('timestamp_outside_tolerance');
    expect(verifyWebhookWithJwks(body, header, jwks, { now: t + 3000, toleranceSeconds: 3600 }).kid).toBe(key.kid);
  });

  it('reads headers strictly', async () => {
    const header = await sign();
    const { signature } = parseEd25519Parts(header);
    const malformed = [
      header.replace(/,ed25519=[^,]+/, ''),
      header.replace(/,kid=.+$/, ''),
      `${header},ed25519=${signature}`,
      header.replace(signature, signature.slice(1)),
      header.replace(`kid=${key.kid}`, 'kid=a,b'),
      header.replace(`t=${t}`, 't=soon'),
      'ed25519',
    ];
    for (const bad of malformed) expect([bad, await failure(() => verifyWebhookWithJwks(body, bad, jwks, { now: t }))]).toEqual([bad, 'malformed_header']);
    expect(await failure(() => verifyWebhookWithJwks(body, null, jwks, { now: t }))).toBe('missing_header');
    await expect(signWebhook(body, { secrets: [], key, timestamp: t })).rejects.toThrow(TypeError);
    await expect(signWebhook(body, { secrets: [secret], key: { d: key.d, kid: 'a,b' }, timestamp: t })).rejects.toThrow(TypeError);
  });

  it('the SDK verifies an event either way and says why it refuses one', async () => {
    const event = JSON.stringify({
      id: 'evt_0123456789abcdefghijklmn',
      object: 'event',
      type: 'order.created',
      created: t,
      mode: 'test',
      data: {
        object: {
          id: 'ord_0123456789abcdefghijklmn', object: 'order', merchant_id: 'mer_0123456789abcdef', mode: 'test', status: 'open',
          amount: 2900, currency: 'USD', description: 'Tote bag', return_url: null, metadata: {}, created_at: t, expires_at: t + 3600,
          paid_at: null, canceled_at: null, paid_attempt_id: null, last_failure: null, capture_method: 'automatic', attempts: [],
          amount_refunded: 0, refunds: [], receipt: null,
        },
      },
    });
    const header = await signWebhook(event, { secrets: [secret], key, timestamp: t });
    await expect(verifyWebhook(event, header, secret, { now: t })).resolves.toMatchObject({ id: 'evt_0123456789abcdefghijklmn' });
    await expect(sdkVerifyWithJwks(event, header, { keys: jwks }, { now: t })).resolves.toMatchObject({ type: 'order.created' });
    expect(await failure(() => sdkVerifyWithJwks(event, header, { keys: [publicJwk(other)] }, { now: t }))).toBe('unknown_key');
    expect(await failure(() => sdkVerifyWithJwks(event, header, { keys: jwks }, { now: t, mode: 'live' }))).toBe('wrong_mode');
    await expect(sdkVerifyWithJwks(event, header, { keys: [{ kty: 'RSA' }] } as never, { now: t })).rejects.toThrow(TypeError);
  });
});
