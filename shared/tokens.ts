/**
 * The two signed things the browser holds: the client token (what an order's checkout may do)
 * and the receipt (proof that an order was paid). Both are EdDSA compact JWS.
 */
import { z } from 'zod';
import { type PrivateJwk, type PublicJwk, signJws, verifyJws } from './jws.ts';
import { type Currency, isCurrency } from './money.ts';

export const CLIENT_TOKEN_TYPE = 'till-client+jwt';
export const RECEIPT_TYPE = 'till-receipt+jwt';
export const ISSUER = 'till';

const CurrencyClaim = z
  .string()
  .refine(isCurrency, 'unsupported currency')
  .transform((c) => c as Currency);
const Mode = z.enum(['test', 'live']);

export const ClientTokenClaimsSchema = z.object({
  iss: z.literal(ISSUER),
  sub: z.string().startsWith('ord_'),
  mer: z.string().startsWith('mer_'),
  amt: z.number().int().positive(),
  cur: CurrencyClaim,
  mode: Mode,
  iat: z.number().int(),
  exp: z.number().int(),
});
export type ClientTokenClaims = z.infer<typeof ClientTokenClaimsSchema>;

export const ReceiptClaimsSchema = z.object({
  iss: z.literal(ISSUER),
  sub: z.string().startsWith('ord_'),
  mer: z.string().startsWith('mer_'),
  amt: z.number().int().positive(),
  cur: CurrencyClaim,
  mode: Mode,
  att: z.string().startsWith('att_'),
  ch: z.string(),
  paid_at: z.number().int(),
  iat: z.number().int(),
});
export type ReceiptClaims = z.infer<typeof ReceiptClaimsSchema>;

export function signClientToken(claims: ClientTokenClaims, key: PrivateJwk): string {
  return signJws(claims, key, CLIENT_TOKEN_TYPE);
}

export function signReceipt(claims: ReceiptClaims, key: PrivateJwk): string {
  return signJws(claims, key, RECEIPT_TYPE);
}

/** Throws JwsError for signature/time problems, ZodError for claims that are not Till's. */
export function verifyClientToken(token: string, keys: readonly PublicJwk[], now?: number): ClientTokenClaims {
  return ClientTokenClaimsSchema.parse(
    verifyJws(token, keys, { typ: CLIENT_TOKEN_TYPE, ...(now === undefined ? {} : { now }) }),
  );
}

export function verifyReceipt(token: string, keys: readonly PublicJwk[], now?: number): ReceiptClaims {
  return ReceiptClaimsSchema.parse(
    verifyJws(token, keys, { typ: RECEIPT_TYPE, ...(now === undefined ? {} : { now }) }),
  );
}
