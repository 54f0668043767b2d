/**
 * The platform's own objects: merchants, their settings and channels, API keys, and the admin's
 * requests. Re-exported by schemas.ts, which is what callers import.
 */
import { z } from 'zod';
import { CARD_BRAND_IDS } from './card-brand-names.ts';
import {
  AmountSchema,
  CurrencySchema,
  HttpUrlSchema,
  ListParamsShape,
  listedOnce,
  listSchema,
  MERCHANT_ID,
  ModeSchema,
} from './schema-primitives.ts';

/** A browser origin allowed to embed the widget and call the browser-facing endpoints. */
export const OriginSchema = z
  .string()
  .max(255)
  .refine((value) => {
    try {
      const url = new URL(value);
      const secure =
        url.protocol === 'https:' ||
        (url.protocol === 'http:' && /^(localhost|127\.0\.0\.1|\[::1\])$/.test(url.hostname));
      return secure && url.origin === value;
    } catch {
      return false;
    }
  }, 'must be an origin like https://shop.example (https, no path; http only for localhost)');

export const CHANNEL_ID_PATTERN = /^[a-z][a-z0-9_]{1,31}$/;

/** Per-merchant limits enforced when an order is created. */
export const MerchantLimitsSchema = z.strictObject({
  /** Largest order per currency, in minor units; currencies not listed are limited only by the API maximum. */
  max_order_amount: z.partialRecord(CurrencySchema, AmountSchema).default({}),
});
export type MerchantLimits = z.infer<typeof MerchantLimitsSchema>;

/** An Ed25519 public key the merchant registered to sign its requests (raw 32 bytes, base64url). */
export const SigningPublicKeySchema = z.strictObject({
  kid: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/, 'must be 1 to 64 characters of A-Z, a-z, 0-9, _ or -'),
  x: z.string().regex(/^[0-9A-Za-z_-]{43}$/, 'must be the 32-byte Ed25519 public key in base64url (43 characters)'),
});
export type SigningPublicKey = z.infer<typeof SigningPublicKeySchema>;

/** The channels Till's router may send a card to. */
export const CARD_PROCESSOR_IDS = ['stripe', 'adyen', 'sandbox'] as const;

/**
 * One step of a merchant's card routing: a processor, and the cards it takes (all when no condition
 * is given). The router goes down the list; the first step that fits takes the card, the next
 * steps that fit are where it fails over.
 */
export const CardRouteSchema = z
  .strictObject({
    processor: z.enum(CARD_PROCESSOR_IDS),
    currencies: z.array(CurrencySchema).min(1).max(50).refine(listedOnce(), 'list each currency once').optional(),
    brands: z.array(z.enum(CARD_BRAND_IDS)).min(1).refine(listedOnce(), 'list each brand once').optional(),
    min_amount: AmountSchema.optional(),
    max_amount: AmountSchema.optional(),
  })
  .refine((step) => (step.min_amount ?? 0) <= (step.max_amount ?? Number.MAX_SAFE_INTEGER), {
    message: 'min_amount must not be above max_amount',
    path: ['min_amount'],
  });
export type CardRoute = z.infer<typeof CardRouteSchema>;

/** Each mode's steps, in order; empty: Till's default (Stripe, then Adyen; the sandbox when neither). */
export const CardRoutingSchema = z.strictObject({
  test: z.array(CardRouteSchema).max(10),
  live: z.array(CardRouteSchema).max(10),
});
export type CardRouting = z.infer<typeof CardRoutingSchema>;

const MerchantSettingsShape = {
  webhook_url: HttpUrlSchema.nullable(),
  allowed_origins: z.array(OriginSchema).max(20).refine(listedOnce(), 'list each origin once'),
  require_signed_requests: z.boolean(),
  /** A request names its key by `kid`, so two keys under one kid would leave it ambiguous. */
  signing_public_keys: z
    .array(SigningPublicKeySchema)
    .max(5)
    .refine(
      listedOnce((key: SigningPublicKey) => key.kid),
      'give each key its own kid',
    ),
  card_routing: CardRoutingSchema.partial(),
};

export const CreateMerchantRequestSchema = z.strictObject({
  name: z.string().min(1).max(100),
  webhook_url: HttpUrlSchema.optional(),
  allowed_origins: MerchantSettingsShape.allowed_origins.optional(),
  channels: z
    .array(z.string().regex(CHANNEL_ID_PATTERN))
    .min(1)
    .max(10)
    .refine(listedOnce(), 'list each channel once')
    .default(['sandbox']),
  limits: MerchantLimitsSchema.optional(),
  require_signed_requests: z.boolean().optional(),
});
export type CreateMerchantRequest = z.infer<typeof CreateMerchantRequestSchema>;

/** What a merchant may change about itself with its secret key. */
export const UpdateMerchantSettingsSchema = z.strictObject({
  webhook_url: MerchantSettingsShape.webhook_url.optional(),
  allowed_origins: MerchantSettingsShape.allowed_origins.optional(),
  require_signed_requests: MerchantSettingsShape.require_signed_requests.optional(),
  signing_public_keys: MerchantSettingsShape.signing_public_keys.optional(),
  card_routing: MerchantSettingsShape.card_routing
    .optional()
    .describe("Each mode's card routing to replace; a mode left out keeps its own."),
});
export type UpdateMerchantSettings = z.infer<typeof UpdateMerchantSettingsSchema>;

/** What the platform admin may change: everything the merchant may, and more. */
export const AdminUpdateMerchantSchema = UpdateMerchantSettingsSchema.extend({
  name: z.string().min(1).max(100).optional(),
  limits: MerchantLimitsSchema.optional(),
  live_enabled: z.boolean().optional(),
  disabled: z.boolean().optional(),
});
export type AdminUpdateMerchant = z.infer<typeof AdminUpdateMerchantSchema>;

/** Enables or disables a channel; credentials (checked by the channel's own schema) are stored encrypted. */
export const ConfigureChannelRequestSchema = z.strictObject({
  enabled: z.boolean(),
  credentials: z.record(z.string(), z.unknown()).optional(),
  /**
   * Which mode the credentials are for: a merchant key sets its own mode's (the default); the admin's default is test.
   */
  mode: ModeSchema.optional(),
});
export type ConfigureChannelRequest = z.infer<typeof ConfigureChannelRequestSchema>;

const CredentialsStateSchema = z.object({ updated_at: z.number().int() }).nullable();

export const MerchantChannelSchema = z.object({
  channel: z.string(),
  enabled: z.boolean(),
  /** Credentials are write-only and kept per mode (a channel's sandbox account is not its production
   * account): only when each mode's were last set shows, or null when they are not set. */
  credentials: z.object({ test: CredentialsStateSchema, live: CredentialsStateSchema }),
});

export const MerchantSchema = z.object({
  id: z.string().regex(MERCHANT_ID),
  object: z.literal('merchant'),
  name: z.string(),
  live_enabled: z.boolean(),
  disabled: z.boolean(),
  webhook_url: z.string().nullable(),
  allowed_origins: z.array(z.string()),
  channels: z.array(MerchantChannelSchema),
  limits: z.object({ max_order_amount: z.record(z.string(), z.number().int()) }),
  require_signed_requests: z.boolean(),
  signing_public_keys: z.array(SigningPublicKeySchema),
  card_routing: CardRoutingSchema,
  created_at: z.number().int(),
});
export type Merchant = z.infer<typeof MerchantSchema>;

/** Returned once, at creation: the only time the secrets are shown. */
export const MerchantWithKeysSchema = MerchantSchema.extend({
  publishable_key: z.string(),
  secret_key: z.string(),
  live_publishable_key: z.string(),
  live_secret_key: z.string(),
  webhook_secret: z.string(),
  request_signing_secret: z.string(),
});
export type MerchantWithKeys = z.infer<typeof MerchantWithKeysSchema>;

export const API_KEY_KINDS = ['secret', 'publishable', 'restricted'] as const;
export type ApiKeyKind = (typeof API_KEY_KINDS)[number];

export const ApiKeySchema = z.object({
  id: z.string().startsWith('key_'),
  object: z.literal('api_key'),
  kind: z.enum(API_KEY_KINDS),
  mode: ModeSchema,
  /** The key's first characters, enough to recognise it; the key itself is never shown again. */
  prefix: z.string(),
  created_at: z.number().int(),
  /** Set when the key was rolled: it keeps working until then. */
  expires_at: z.number().int().nullable(),
  revoked_at: z.number().int().nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

/** A key as created or rolled: the one time its secret is shown. */
export const CreatedApiKeySchema = ApiKeySchema.extend({ secret: z.string() });
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;

/** A merchant creates restricted keys in the mode of the key it calls with. */
export const CreateApiKeyRequestSchema = z.strictObject({
  kind: z.enum(['restricted']),
  /** Optional; when given it must be the calling key's mode. */
  mode: ModeSchema.optional(),
});

export const RollApiKeyRequestSchema = z.strictObject({
  /** How long the old key keeps working, in seconds (0 = refuse it at once, at most 30 days). */
  expires_in: z
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 3600)
    .default(0),
});

export const RollSecretResponseSchema = z.object({ object: z.literal('signing_secret'), secret: z.string() });

export const ApiKeyListSchema = listSchema(ApiKeySchema);
export const MerchantListSchema = listSchema(MerchantSchema);

// ---- platform admin -------------------------------------------------------------------------

export const AdminMerchantListQuerySchema = z
  .strictObject({
    ...ListParamsShape,
    starting_after: z.string().regex(MERCHANT_ID).optional(),
    ending_before: z.string().regex(MERCHANT_ID).optional(),
  })
  .refine((q) => !(q.starting_after && q.ending_before), 'use starting_after or ending_before, not both');

/** The admin may issue any kind of key, in either mode. */
export const AdminCreateApiKeyRequestSchema = z.strictObject({
  kind: z.enum(API_KEY_KINDS),
  mode: ModeSchema.default('test'),
});

export const ReencryptionSchema = z.object({
  object: z.literal('reencryption'),
  merchant_id: z.string().regex(MERCHANT_ID),
  reencrypted: z.number().int().describe('How many sealed values were sealed again under the current master key.'),
  key_id: z.string().describe('The master key id everything is now sealed under.'),
});
