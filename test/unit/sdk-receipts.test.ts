/** Verifying receipts with the server SDK against the platform's JWKS, signed with its own code. */
import { describe, expect, it } from 'vitest';
import { JWKS_REFETCH_COOLDOWN_MS, JWKS_TTL_MS, TillApiError, TillReceiptError } from '../../sdk/index.ts';
import { toBase64Url } from '../../shared/encoding.ts';
import { generateSigningKey, type PrivateJwk, publicJwk } from '../../shared/jws.ts';
import { type ReceiptClaims, signReceipt } from '../../shared/tokens.ts';
import { client, envelope, json, MERCHANT, NOW_S, ORDER_ID, type Reply, rejection } from './sdk-helpers.ts';

describe('receipts.verify', () => {
  const claims: ReceiptClaims = {
    iss: 'till',
    sub: ORDER_ID(1),
    mer: MERCHANT,
    amt: 2900,
    cur: 'USD',
    mode: 'test',
    att: `att_${'A'.repeat(20)}`,
    ch: 'sandbox',
    paid_at: NOW_S,
    iat: NOW_S,
  };

  /** A JWKS endpoint whose keys the test changes, counting fetches. */
  function jwksServer(initial: PrivateJwk[]) {
    let keys = initial;
    let fetches = 0;
    const reply: Reply = (request) => {
      fetches += 1;
      expect(request.url.pathname).toBe('/.well-known/jwks.json');
      expect(request.headers.has('authorization')).toBe(false);
      return json({ keys: keys.map(publicJwk) });
    };
    return {
      replies: Array.from({ length: 10 }, () => reply),
      publish: (next: PrivateJwk[]) => (keys = next),
      fetches: () => fetches,
    };
  }

  it('verifies receipts against the JWKS, fetched once and cached', async () => {
    const key = await generateSigningKey();
    const server = jwksServer([key]);
    const { till, advance } = client(server.replies);
    await expect(till.receipts.verify(signReceipt(claims, key))).resolves.toEqual(claims);
    await expect(till.receipts.verify(signReceipt({ ...claims, sub: ORDER_ID(2) }, key))).resolves.toMatchObject({
      sub: ORDER_ID(2),
    });
    expect(server.fetches()).toBe(1);
    advance(JWKS_TTL_MS);
    await till.receipts.verify(signReceipt(claims, key));
    expect(server.fetches()).toBe(2);
  });

  it('fetches one request for concurrent first verifications', async () => {
    const key = await generateSigningKey();
    const server = jwksServer([key]);
    const { till } = client(server.replies);
    await Promise.all([1, 2, 3].map(() => till.receipts.verify(signReceipt(claims, key))));
    expect(server.fetches()).toBe(1);
  });

  it('refetches once on an unknown kid after a rotation, at most once per cooldown', async () => {
    const old = await generateSigningKey();
    const rotated = await generateSigningKey();
    const server = jwksServer([old]);
    const { till, advance } = client(server.replies);
    await till.receipts.verify(signReceipt(claims, old));
    server.publish([rotated, old]);

    // Within the cooldown after the last fetch, an unknown kid is refused without a fetch.
    await expect(till.receipts.verify(signReceipt(claims, rotated))).rejects.toMatchObject({ reason: 'unknown_key' });
    expect(server.fetches()).toBe(1);

    advance(JWKS_REFETCH_COOLDOWN_MS);
    await expect(till.receipts.verify(signReceipt(claims, rotated))).resolves.toEqual(claims);
    expect(server.fetches()).toBe(2);

    // A flood of tokens under keys Till never had costs no further fetch.
    const forger = await generateSigningKey();
    for (let i = 0; i < 20; i++) {
      await expect(till.receipts.verify(signReceipt(claims, forger))).rejects.toBeInstanceOf(TillReceiptError);
    }
    expect(server.fetches()).toBe(2);
    advance(JWKS_REFETCH_COOLDOWN_MS);
    await expect(till.receipts.verify(signReceipt(claims, forger))).rejects.toMatchObject({ reason: 'unknown_key' });
    expect(server.fetches()).toBe(3);
  });

  it('rejects a bad signature, another type, another merchant and a malformed token', async () => {
    const key = await generateSigningKey();
    const server = jwksServer([key]);
    const { till } = client(server.replies);
    const receipt = signReceipt(claims, key);
    const [header, payload, signature = ''] = receipt.split('.');
    const flipped = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const reason = async (token: string) => ((await rejection(till.receipts.verify(token))) as TillReceiptError).reason;
    expect(await reason(flipped)).toBe('bad_signature');
    const otherPayload = toBase64Url(new TextEncoder().encode(JSON.stringify({ ...claims, amt: 1 })));
    expect(await reason(`${header}.${otherPayload}.${signature}`)).toBe('bad_signature');
    expect(await reason(signReceipt({ ...claims, mer: 'mer_SomeoneElse00000' }, key))).toBe('wrong_merchant');
    const otherMode = claims.mode === 'test' ? 'live' : 'test';
    expect(await reason(signReceipt({ ...claims, mode: otherMode }, key))).toBe('wrong_mode');
    expect(await reason('not-a-token')).toBe('malformed');
    expect(server.fetches()).toBe(1);
  });

  it('lets a JWKS failure through as an API error, deciding nothing', async () => {
    const { till } = client([
      envelope(500, 'api_error', 'internal_error', 'down'),
      envelope(500, 'api_error', 'internal_error', 'down'),
      envelope(500, 'api_error', 'internal_error', 'down'),
    ]);
    const key = await generateSigningKey();
    await expect(till.receipts.verify(signReceipt(claims, key))).rejects.toBeInstanceOf(TillApiError);
  });
});
