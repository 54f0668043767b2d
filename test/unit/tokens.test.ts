import fc from 'fast-check';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../../shared/encoding.ts';
import {
  generateSigningKey,
  JwsError,
  jwkThumbprint,
  parsePrivateJwk,
  publicJwk,
  signCompact,
  verifyJws,
} from '../../shared/jws.ts';
import {
  type ClientTokenClaims,
  signClientToken,
  signReceipt,
  verifyClientToken,
  verifyReceipt,
} from '../../shared/tokens.ts';
import vector from '../fixtures/rfc8037-ed25519.json' with { type: 'json' };

const key = await generateSigningKey();
const keys = [publicJwk(key)];
const now = 1_800_000_000;
const claims: ClientTokenClaims = {
  iss: 'till',
  sub: 'ord_AAAAAAAAAAAAAAAAAAAAAAAA',
  mer: 'mer_BBBBBBBBBBBBBBBB',
  amt: 2900,
  cur: 'USD',
  mode: 'test',
  iat: now,
  exp: now + 3600,
};

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof JwsError) return error.reason;
    return (error as Error).name;
  }
  return 'accepted';
}

describe('RFC 8037 vectors', () => {
  it('computes the published key thumbprint', async () => {
    expect(await jwkThumbprint(vector.jwk.x)).toBe(vector.thumbprint);
  });

  it('produces the published Ed25519 JWS', () => {
    expect(signCompact(vector.header, utf8(vector.payload), vector.jwk)).toBe(vector.jws);
  });
});

describe('client tokens', () => {
  const token = signClientToken(claims, key);

  it('round-trips and carries alg, kid and typ', () => {
    expect(verifyClientToken(token, keys, now)).toEqual(claims);
    const header = JSON.parse(fromUtf8(fromBase64Url(token.split('.')[0]!)));
    expect(header).toEqual({ alg: 'EdDSA', kid: key.kid, typ: 'till-client+jwt' });
  });

  it('verifies with an independent JOSE library through the JWKS', async () => {
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet({ keys }), {
      algorithms: ['EdDSA'],
      currentDate: new Date(now * 1000),
      typ: 'till-client+jwt',
    });
    expect(payload.sub).toBe(claims.sub);
    expect(protectedHeader.kid).toBe(key.kid);
  });

  it('refuses a changed amount', () => {
    const [header, , signature] = token.split('.');
    const forged = toBase64Url(utf8(JSON.stringify({ ...claims, amt: 1 })));
    expect(reason(() => verifyClientToken(`${header}.${forged}.${signature}`, keys, now))).toBe('bad_signature');
  });

  it('refuses an expired token', () => {
    expect(reason(() => verifyClientToken(token, keys, claims.exp + 1))).toBe('expired');
    expect(reason(() => verifyClientToken(token, keys, claims.exp))).toBe('accepted');
  });

  it('refuses a token from an unknown key, of another type, or malformed', async () => {
    const other = await generateSigningKey();
    expect(reason(() => verifyClientToken(signClientToken(claims, other), keys, now))).toBe('unknown_key');
    const receipt = signReceipt({ ...claims, att: 'att_CCCCCCCCCCCCCCCCCCCC', ch: 'sandbox', paid_at: now }, key);
    expect(reason(() => verifyClientToken(receipt, keys, now))).toBe('wrong_type');
    expect(verifyReceipt(receipt, keys, now).att).toBe('att_CCCCCCCCCCCCCCCCCCCC');
    expect(reason(() => verifyClientToken('a.b', keys, now))).toBe('malformed');
    expect(reason(() => verifyClientToken('!!.??.**', keys, now))).toBe('malformed');
  });

  it('refuses alg confusion (a header claiming another algorithm)', () => {
    const [, payload, signature] = token.split('.');
    const none = toBase64Url(utf8(JSON.stringify({ alg: 'none', kid: key.kid, typ: 'till-client+jwt' })));
    expect(reason(() => verifyJws(`${none}.${payload}.${signature}`, keys, { typ: 'till-client+jwt', now }))).toBe(
      'malformed',
    );
  });

  it('refuses any single-character change anywhere in the token (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCabc012-_'), (index, char) => {
        fc.pre(token[index] !== char && token[index] !== '.');
        const tampered = token.slice(0, index) + char + token.slice(index + 1);
        // The last base64url character may carry unused bits; the decoded bytes must still differ to count.
        expect(['bad_signature', 'malformed', 'unknown_key', 'accepted']).toContain(
          reason(() => verifyJws(tampered, keys, { typ: 'till-client+jwt', now })),
        );
        if (reason(() => verifyJws(tampered, keys, { typ: 'till-client+jwt', now })) === 'accepted') {
          const same = (a: string, b: string) => toBase64Url(fromBase64Url(a)) === toBase64Url(fromBase64Url(b));
          const [h1, p1, s1] = token.split('.') as [string, string, string];
          const [h2, p2, s2] = tampered.split('.') as [string, string, string];
          expect(same(h1, h2) && same(p1, p2) && same(s1, s2)).toBe(true);
        }
      }),
    );
  });

  it('checks that a configured private key matches its public half', () => {
    expect(parsePrivateJwk(JSON.stringify(key)).kid).toBe(key.kid);
    expect(() => parsePrivateJwk(JSON.stringify({ ...key, x: vector.jwk.x }))).toThrow(
      'signing key: x does not match d',
    );
    expect(() => parsePrivateJwk('not json')).toThrow('signing key must be a JSON Ed25519 private JWK');
  });
});
