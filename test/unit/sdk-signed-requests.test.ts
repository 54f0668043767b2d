/** Requests the server SDK signs (HMAC or Ed25519), checked with the worker's own verifier. */
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../shared/encoding.ts';
import {
  parseRequestSignature,
  type RequestVerificationKeys,
  verifyRequestSignature,
} from '../../shared/request-signature.ts';
import { client, envelope, json, NOW_S, ORDER_ID, order, type Sent } from './sdk-helpers.ts';

describe('signed requests', () => {
  async function verify(request: Sent | undefined, keys: RequestVerificationKeys) {
    if (!request) throw new Error('no request');
    const parsed = parseRequestSignature(request.headers.get('till-signature'));
    const kid = await verifyRequestSignature(
      parsed,
      {
        method: request.method,
        pathWithQuery: `${request.url.pathname}${request.url.search}`,
        body: request.body ?? '',
      },
      keys,
      { now: NOW_S },
    );
    return { kid, nonce: parsed.nonce };
  }

  it('signs method, path with query and body with the HMAC secret, a fresh nonce per try', async () => {
    const secret = 'rss_0123456789abcdefghij';
    const { till, sent } = client(
      [
        envelope(503, 'api_error', 'internal_error', 'x'),
        json(order(), 201),
        json({ object: 'list', data: [], has_more: false, url: '/v1/orders' }),
      ],
      {
        signing: { secret },
      },
    );
    await till.orders.create({ amount: 2900, currency: 'USD', description: 'Tote bag ✓' });
    await till.orders.list({ limit: 5, metadata: { 'cart id': "it's 1" } });
    const keys = { hmacSecrets: [secret], publicKeys: [] };
    const [first, second, third] = await Promise.all(sent.map((request) => verify(request, keys)));
    expect(first?.kid).toBe('secret');
    expect(first?.nonce).not.toBe(second?.nonce);
    expect(third?.kid).toBe('secret');
    expect(sent[2]?.url.search).toContain('metadata[cart%20id]=it%27s%201');
    await expect(verify(sent[1], { hmacSecrets: ['another_secret_0123456789'], publicKeys: [] })).rejects.toMatchObject(
      { reason: 'bad_signature' },
    );
  });

  it('signs with a registered Ed25519 key and its kid', async () => {
    const { secretKey, publicKey } = ed25519.keygen();
    const { till, sent } = client([json(order()), json(order())], {
      signing: { privateKey: secretKey, kid: 'server-1' },
    });
    await till.orders.cancel(ORDER_ID(1));
    await till.orders.retrieve(ORDER_ID(1));
    const keys = { hmacSecrets: [], publicKeys: [{ kid: 'server-1', x: toBase64Url(publicKey) }] };
    expect((await verify(sent[0], keys)).kid).toBe('server-1');
    expect((await verify(sent[1], keys)).kid).toBe('server-1');
    expect(sent[0]?.headers.get('till-signature')).toMatch(/,kid=server-1$/);
    const other = toBase64Url(ed25519.keygen().publicKey);
    await expect(
      verify(sent[0], { hmacSecrets: [], publicKeys: [{ kid: 'server-1', x: other }] }),
    ).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('sends no signature without signing options', async () => {
    const { till, sent } = client([json(order())]);
    await till.orders.retrieve(ORDER_ID(1));
    expect(sent[0]?.headers.has('till-signature')).toBe(false);
  });
});
