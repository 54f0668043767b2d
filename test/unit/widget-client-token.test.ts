/** The loader reads the order id out of the client token it is given (the worker checks the signature). */
import { describe, expect, it } from 'vitest';
import { orderIdFromToken } from '../../widget/loader/client-token.ts';

const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (claims: unknown): string => `${part({ alg: 'EdDSA' })}.${part(claims)}.signature`;

describe('orderIdFromToken', () => {
  it("reads the payload's sub, in the URL-safe alphabet and without padding", () => {
    expect(orderIdFromToken(token({ sub: 'ord_1', mer: 'mer_?>~' }))).toBe('ord_1');
    // A payload whose base64url holds - and _ (from ?, > and ~), which atob does not know.
    expect(part({ sub: 'ord_1', mer: 'mer_?>~' })).toMatch(/[-_]/);
  });

  it.each([
    ['no payload', 'header'],
    ['an empty payload', 'header..signature'],
    ['a payload that is no JSON', `header.${Buffer.from('nope').toString('base64url')}.signature`],
    ['a payload that is no base64', 'header.%%%.signature'],
    ['no sub', token({ mer: 'mer_1' })],
    ['an empty sub', token({ sub: '' })],
    ['a sub that is no string', token({ sub: 42 })],
    ['a payload that is null', token(null)],
    ['nothing', ''],
  ])('refuses %s', (_name, value) => expect(orderIdFromToken(value)).toBeNull());
});
