/**
 * The building blocks every schema shares: ids, money, URLs, metadata, mode and list paging.
 */
import { z } from 'zod';
import { type Currency, isCurrency, MAX_AMOUNT } from './money.ts';
import { isReturnUrl } from './return-url.ts';

export const ORDER_ID = /^ord_[0-9A-Za-z]{24}$/;
export const ATTEMPT_ID = /^att_[0-9A-Za-z]{20}$/;
export const MERCHANT_ID = /^mer_[0-9A-Za-z]{16}$/;

export const OrderIdSchema = z.string().regex(ORDER_ID, 'must be an order id like ord_…');

export const AmountSchema = z
  .number({ error: 'amount must be an integer number of minor units' })
  .int('amount must be an integer number of minor units')
  .min(1, 'amount must be at least 1 minor unit')
  .max(MAX_AMOUNT, `amount must be at most ${MAX_AMOUNT} minor units`);

export const CurrencySchema = z
  .string({ error: 'currency must be an ISO 4217 code' })
  .refine(isCurrency, 'currency must be an upper-case ISO 4217 code Till supports')
  .transform((code) => code as Currency);

export const HttpUrlSchema = z
  .string()
  .max(2048)
  .url()
  .refine((url) => /^https?:\/\//.test(url), 'must be an http(s) URL');

/** See shared/return-url.ts. */
export const ReturnUrlSchema = z
  .string()
  .max(2048)
  .refine(isReturnUrl, 'must be an http(s) URL or an app deep link like myshop://checkout/done');

/**
 * One rule admits a metadata key to an order and to a `metadata[<key>]=<value>` list filter, so
 * every key that can be stored can be filtered on. The filter becomes a JSON path (`$."<key>"`) in
 * D1, which cannot escape a quote or backslash and refuses a NUL; a bracket would end the
 * `metadata[…]` parameter early (Stripe refuses brackets in keys too); a control character or a
 * lone surrogate is not text a merchant means to type, and a lone surrogate cannot be sent in a
 * URL at all. `__proto__` would be dropped by any JavaScript object that held it.
 */
const METADATA_KEY_CHARACTERS = /^[^"\\[\]\p{Cc}\p{Cs}]*$/u;
const METADATA_KEY_RULE =
  'metadata keys must be 1 to 40 characters without control characters, quotes, square brackets or backslashes';
export const MetadataKeySchema = z
  .string()
  .min(1, METADATA_KEY_RULE)
  .max(40, METADATA_KEY_RULE)
  .regex(METADATA_KEY_CHARACTERS, METADATA_KEY_RULE)
  .refine((key) => key !== '__proto__', '__proto__ cannot be a metadata key');

/**
 * Any text up to 500 characters, control characters included; a lone surrogate is no text and no filter could match it.
 */
export const MetadataValueSchema = z
  .string()
  .max(500)
  .regex(/^\P{Cs}*$/u, 'metadata values must be text: no lone UTF-16 surrogates');

export const MetadataSchema = z
  .record(MetadataKeySchema, MetadataValueSchema)
  .refine((metadata) => Object.keys(metadata).length <= 20, 'metadata may have at most 20 keys');

export const MAX_METADATA_FILTERS = 5;

/** For arrays that list things: naming one twice is a mistake (or a channel row made twice), so it is refused. */
export const listedOnce =
  <T>(identity: (item: T) => unknown = (item) => item) =>
  (items: readonly T[]): boolean =>
    new Set(items.map(identity)).size === items.length;

export const ModeSchema = z.enum(['test', 'live']);
export type Mode = z.infer<typeof ModeSchema>;

const unixSeconds = z
  .string()
  .regex(/^\d{1,12}$/, 'must be unix seconds')
  .transform(Number);

/** Cursor pagination shared by every list: newest first, `starting_after` pages on, `ending_before` back. */
export const ListParamsShape = {
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be an integer from 1 to 100')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100, 'must be an integer from 1 to 100')
    .default(10),
  'created[gt]': unixSeconds.optional(),
  'created[gte]': unixSeconds.optional(),
  'created[lt]': unixSeconds.optional(),
  'created[lte]': unixSeconds.optional(),
};

export function listSchema<T extends z.ZodType>(item: T) {
  return z.object({ object: z.literal('list'), data: z.array(item), has_more: z.boolean(), url: z.string() });
}

export interface List<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}
