/**
 * Request and response shapes the routes use that shared/schemas.ts does not name on its own:
 * path parameters, small queries, and the few bodies a route builds inline.
 */
import { z } from 'zod';
import {
  CHANNEL_ID_PATTERN,
  MAX_METADATA_FILTERS,
  MERCHANT_ID,
  MetadataKeySchema,
  ShopperContextSchema,
  StartAttemptBaseSchema,
} from '../../../shared/schemas.ts';
import { CardSchema } from '../../channels/sandbox/card-schema.ts';

export const MerchantIdSchema = z.string().regex(MERCHANT_ID);
export const EventIdSchema = z.string().regex(/^evt_[0-9A-Za-z]{24}$/);
export const ApiKeyIdSchema = z.string().startsWith('key_');
export const ChannelIdSchema = z.string().regex(CHANNEL_ID_PATTERN);

export const CheckoutQuerySchema = z.object({
  context: ShopperContextSchema.default('desktop').describe(
    'Where the shopper is paying from; decides which payment methods fit.',
  ),
});

/** The order list also filters on metadata: `metadata[key]=value`; worker/http/routes/list-query.ts reads them. */
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

export {
  AdminCreateApiKeyRequestSchema,
  AdminMerchantListQuerySchema,
  ReencryptionSchema,
} from '../../../shared/schemas.ts';

export const ChannelAcknowledgementSchema = z
  .string()
  .describe("The answer the channel's protocol expects, e.g. `success`.");

export const OpenApiDocumentSchema = z
  .object({ openapi: z.literal('3.1.0'), info: z.object({ title: z.string(), version: z.string() }) })
  .loose()
  .describe('An OpenAPI 3.1 document.');
