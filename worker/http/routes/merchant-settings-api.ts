/** The merchant's own account: settings, channels and their credentials, API keys, signing secret. */
import { Hono } from 'hono';
import { TillError } from '../../../shared/errors.ts';
import {
  type ApiKey,
  CreateApiKeyRequestSchema,
  type List,
  PaymentMethodsQuerySchema,
  RollApiKeyRequestSchema,
  UpdateMerchantSettingsSchema,
} from '../../../shared/schemas.ts';
import { merchantStub } from '../../base/merchant-stub.ts';
import { unwrap } from '../../base/result.ts';
import { channelOf, isChannelId } from '../../channels/registry.ts';
import { forgetMerchant, type MerchantEnv, merchantAuth } from '../auth.ts';
import { allowedOriginsCors } from '../cors.ts';
import { merchantKeyRateLimit } from '../rate-limit.ts';
import { parseWith, queryParams, readJson } from '../request.ts';
import { channelConfiguration } from './channel-configuration.ts';
import { merchantIdempotency, readers, writers } from './merchant-auth.ts';

const anyKey = merchantAuth({ roles: ['publishable', 'secret', 'restricted'] });
const publishableInQuery = merchantAuth({ roles: ['publishable'], keyInQuery: true });

export const merchantSettingsApi = new Hono<MerchantEnv>()
  .use('/merchant/*', merchantKeyRateLimit())
  .use('/keys/*', merchantKeyRateLimit())
  .use('/payment_methods', merchantKeyRateLimit())
  .get('/merchant', readers, async (c) => c.json(unwrap(await merchantStub(c.env, c.get('merchant').id).retrieve())))

  .post('/merchant', writers, merchantIdempotency, async (c) => {
    const patch = await readJson(c, UpdateMerchantSettingsSchema);
    const caller = c.get('merchant');
    const merchant = unwrap(await merchantStub(c.env, caller.id).update(patch, caller.mode));
    forgetMerchant(merchant.id);
    return c.json(merchant);
  })

  .post('/merchant/channels/:channel', writers, merchantIdempotency, async (c) => {
    const caller = c.get('merchant');
    const { channel, enabled, credentials } = await channelConfiguration(c, c.req.param('channel'), caller.mode);
    const merchant = unwrap(
      await merchantStub(c.env, caller.id).configureChannel(caller.mode, channel, enabled, credentials),
    );
    forgetMerchant(merchant.id);
    return c.json(merchant);
  })

  .post('/merchant/signing_secret/roll', writers, merchantIdempotency, async (c) => {
    const caller = c.get('merchant');
    return c.json(unwrap(await merchantStub(c.env, caller.id).rollSigningSecret(caller.mode)));
  })

  .get('/keys', writers, async (c) => {
    const merchant = c.get('merchant');
    const keys = unwrap(await merchantStub(c.env, merchant.id).listKeys(merchant.mode));
    return c.json({ object: 'list', data: keys, has_more: false, url: '/v1/keys' } satisfies List<ApiKey>);
  })

  .post('/keys', writers, merchantIdempotency, async (c) => {
    const { kind, mode } = await readJson(c, CreateApiKeyRequestSchema);
    const merchant = c.get('merchant');
    if (mode !== undefined && mode !== merchant.mode) {
      throw new TillError(
        'invalid_parameter',
        `mode must be the mode of the key you call with (${merchant.mode})`,
        'mode',
      );
    }
    return c.json(unwrap(await merchantStub(c.env, merchant.id).createKey(kind, merchant.mode)), 201);
  })

  .post('/keys/:id/roll', writers, merchantIdempotency, async (c) => {
    const { expires_in } = await readJson(c, RollApiKeyRequestSchema);
    const merchant = c.get('merchant');
    const rolled = unwrap(await merchantStub(c.env, merchant.id).rollKey(merchant.mode, c.req.param('id'), expires_in));
    forgetMerchant(merchant.id);
    return c.json(rolled);
  })

  .post('/keys/:id/revoke', writers, merchantIdempotency, async (c) => {
    const merchant = c.get('merchant');
    const revoked = unwrap(await merchantStub(c.env, merchant.id).revokeKey(merchant.mode, c.req.param('id')));
    forgetMerchant(merchant.id);
    return c.json(revoked);
  })

  // For the merchant's own pages (publishable key): which methods to show before checkout.
  .get(
    '/payment_methods',
    async (c, next) => (c.req.header('authorization') ? anyKey(c, next) : publishableInQuery(c, next)),
    allowedOriginsCors<MerchantEnv>({ originsFor: async (c) => c.get('merchant').allowedOrigins }),
    async (c) => {
      const merchant = c.get('merchant');
      const { amount, currency, context, capture_method } = parseWith(PaymentMethodsQuerySchema, queryParams(c));
      const data = merchant.channels
        .filter(isChannelId)
        .flatMap((channel) =>
          channelOf(channel).methods({ amount, currency, mode: merchant.mode, capture_method }, context),
        );
      return c.json({ object: 'list', data });
    },
  );
