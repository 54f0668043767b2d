/**
 * Request and response shapes the routes use that shared/schemas.ts does not name on its own:
 * small queries, and the few bodies a route builds inline.
 */
import { z } from 'zod';
import { CardSchema } from '../card-schema.ts';
import { MAX_METADATA_FILTERS, MetadataKeySchema, ShopperContextSchema, StartAttemptBaseSchema } from '../schemas.ts';

export const CheckoutQuerySchema = z.object({
  context: ShopperContextSchema.default('desktop').describe(
    'Where the shopper is paying from; decides which payment methods fit.',
  ),
});

/** The order list also filters on metadata: `metadata[key]=value`, read by the worker's query parsing. */
export const MetadataFilterSchema = z
  .record(MetadataKeySchema, z.string())
  .meta({ maxProperties: MAX_METADATA_FILTERS });

// Each channel checks its own fields at the edge; the document shows the sandbox card as an example.
export const StartAttemptRequestSchema = StartAttemptBaseSchema.extend({
  card: CardSchema.describe(
    'Card details, for the `card` method of the `sandbox` channel; spaces and dashes in the number are ignored.',
  ).optional(),
})
  .loose()
  .describe('The method the shopper chose; each channel adds its own fields, checked strictly by that channel.');

/**
 * What a processor appends to the shopper's way back (Stripe's `payment_intent`, Adyen's
 * `redirectResult`): handed to the processor's adapter, never believed on its own.
 */
export const ActionReturnQuerySchema = z.looseObject({
  to: z
    .string()
    .max(4096)
    .optional()
    .describe(
      "Where the shopper goes next: the checkout frame or a merchant page the attempt's return_url allowed; " +
        'checked again here.',
    ),
});

export const ChannelAcknowledgementSchema = z
  .string()
  .describe("The answer the channel's protocol expects, e.g. `success`.");

export const OpenApiDocumentSchema = z
  .object({ openapi: z.literal('3.1.0'), info: z.object({ title: z.string(), version: z.string() }) })
  .loose()
  .describe('An OpenAPI 3.1 document.');
