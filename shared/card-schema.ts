/**
 * A card as the shopper typed it, checked at the edge the way the card form checks it before any
 * call: a number its brand could have issued, a brand Till knows, a security code of the brand's
 * length and an expiry not yet past. On its own so the OpenAPI document can show it.
 */
import { z } from 'zod';
import { BRAND_NAMES, brandRule, isCardNumber } from './card-brand.ts';

/** Whether a card valid through the end of its expiry month has expired by `now` (UTC). */
export const hasExpired = (month: number, year: number, now: Date): boolean =>
  year * 12 + month - 1 < now.getUTCFullYear() * 12 + now.getUTCMonth();

export const CardSchema = z
  .strictObject({
    number: z
      .string()
      .transform((value) => value.replace(/[\s-]/g, ''))
      .pipe(
        z
          .string()
          .regex(/^\d{12,19}$/, 'card number must be 12 to 19 digits')
          .refine(isCardNumber, 'card number is not valid'),
      ),
    exp_month: z.number().int().min(1, 'exp_month must be 1 to 12').max(12, 'exp_month must be 1 to 12'),
    exp_year: z
      .number()
      .int()
      .min(2000, 'exp_year must be a four-digit year')
      .max(2100, 'exp_year must be a four-digit year'),
    cvc: z.string().regex(/^\d{3,4}$/, 'cvc must be 3 or 4 digits'),
    // Processors take the name for fraud checks; like the number it is never logged, stored or returned.
    name: z
      .string()
      .trim()
      .min(1, 'name must not be blank')
      .max(200, 'name must be at most 200 characters')
      .optional()
      .describe('Name on card, as the shopper typed it (1 to 200 characters once trimmed).'),
  })
  .superRefine((card, context) => {
    const { brand, cvc } = brandRule(card.number);
    if (brand === null) {
      context.addIssue({
        code: 'custom',
        path: ['number'],
        message: `card brand is not accepted: ${Object.values(BRAND_NAMES).join(', ')} are`,
      });
    } else if (!cvc.includes(card.cvc.length)) {
      context.addIssue({
        code: 'custom',
        path: ['cvc'],
        message: `cvc must be ${cvc.join(' or ')} digits for ${BRAND_NAMES[brand]}`,
      });
    }
    if (hasExpired(card.exp_month, card.exp_year, new Date())) {
      context.addIssue({ code: 'custom', path: ['exp_year'], message: 'the card has expired' });
    }
  });
export type Card = z.infer<typeof CardSchema>;
