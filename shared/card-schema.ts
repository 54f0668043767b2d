/** The sandbox's card fields, checked at the edge; on its own so the OpenAPI document can show it. */
import { z } from 'zod';
import { isCardNumber } from './card-brand.ts';

export const CardSchema = z.strictObject({
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
  // Real processors take the name for fraud checks; the sandbox reads it nowhere, and like the
  // number it is never logged, stored or returned.
  name: z
    .string()
    .trim()
    .min(1, 'name must not be blank')
    .max(200, 'name must be at most 200 characters')
    .optional()
    .describe('Name on card, as the shopper typed it (1 to 200 characters once trimmed).'),
});
