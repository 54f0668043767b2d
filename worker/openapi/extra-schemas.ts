/**
 * Request and response shapes the routes use that shared/schemas.ts does not name on its own:
 * path parameters, small queries, and the few bodies a route builds inline.
 */
import { z } from 'zod';
import {
  CHANNEL_ID_PATTERN,
  MERCHANT_ID,
  ShopperContextSchema,
  StartAttemptBaseSchema,
} from '../../shared/schemas.ts';

export const MerchantIdSchema = z.string().regex(MERCHANT_ID);
export const EventIdSchema = z.string().regex(/^evt_[0-9A-Za-z]{24}$/);
export const ApiKeyIdSchema = z.string().startsWith('key_');
export const ChannelIdSchema = z.string().regex(CHANNEL_ID_PATTERN);

export const CheckoutQuerySchema = z.object({
  context: ShopperContextSchema.default('desktop').describe('Where the shopper is paying from; decides which payment methods fit.'),
});

/** The order list also filters on metadata: `metadata[key]=value`; worker/routes/list-query.ts reads them. */
export const MetadataFilterSchema = z
  .record(z.string().regex(/^[^"\\\]\[]{1,40}$/), z.string())
  .meta({ maxProperties: 5 });

// Each channel checks its own fields at the edge; the document shows the sandbox card's loosely.
const SandboxCardSchema = z
  .object({
    number: z.string().describe('Card number; spaces and dashes are ignored.'),
    exp_month: z.number().int().min(1).max(12),
    exp_year: z.number().int().min(2000).max(2100),
    cvc: z.string().regex(/^\d{3,4}$/),
    name: z.string().max(100).optional(),
  })
  .describe('Card details, for the `card` method of the `sandbox` channel.');

export const StartAttemptRequestSchema = StartAttemptBaseSchema.extend({ card: SandboxCardSchema.optional() })
  .loose()
  .describe('The method the shopper chose; each channel adds its own fields, checked strictly by that channel.');

export { AdminCreateApiKeyRequestSchema, AdminMerchantListQuerySchema, ReencryptionSchema } from '../../shared/schemas.ts';

export const ChannelAcknowledgementSchema = z.string().describe("The answer the channel's protocol expects, e.g. `success`.");

export const OpenApiDocumentSchema = z
  .object({ openapi: z.literal('3.1.0'), info: z.object({ title: z.string(), version: z.string() }) })
  .loose()
  .describe('An OpenAPI 3.1 document.');
