/** Platform administration (admin key): onboard, configure, disable merchants; issue keys; re-seal secrets. */
import { Hono } from 'hono';
import { TillError } from '../../../shared/errors.ts';
import {
  AdminCreateApiKeyRequestSchema,
  AdminMerchantListQuerySchema,
  AdminUpdateMerchantSchema,
  CreateMerchantRequestSchema,
  type Merchant,
} from '../../../shared/schemas.ts';
import type { AppEnv } from '../../base/env.ts';
import { merchantIdForIdempotencyKey, newMerchantId } from '../../base/ids.ts';
import { type ListRequest, listPage } from '../../base/listing.ts';
import { merchantStub } from '../../base/merchant-stub.ts';
import { unwrap } from '../../base/result.ts';
import { isChannelId } from '../../channels/registry.ts';
import { adminAuth, forgetMerchant } from '../auth.ts';
import { IDEMPOTENCY_KEY_HEADER, idempotency } from '../idempotency.ts';
import { readJson } from '../request.ts';
import { channelConfiguration } from './channel-configuration.ts';
import { listQuery } from './list-query.ts';

const adminIdempotency = idempotency<AppEnv>({ scope: () => 'admin' });

export const adminApi = new Hono<AppEnv>()
  .use(adminAuth())

  .post('/merchants', adminIdempotency, async (c) => {
    const request = await readJson(c, CreateMerchantRequestSchema);
    const unknown = request.channels.find((channel) => !isChannelId(channel));
    if (unknown) throw new TillError('channel_not_available', `Unknown channel: ${unknown}`, 'channels');
    const idempotencyKey = c.req.header(IDEMPOTENCY_KEY_HEADER);
    // With a key, a retry that finds its first attempt died half-way cannot make a second merchant.
    const id = idempotencyKey ? await merchantIdForIdempotencyKey(idempotencyKey) : newMerchantId();
    return c.json(unwrap(await merchantStub(c.env, id).create(id, request)), 201);
  })

  .get('/merchants', async (c) => {
    const { query } = listQuery(c, AdminMerchantListQuerySchema, { metadata: false });
    const request: ListRequest = { table: 'merchants', owner: [], filters: [], query, url: '/v1/admin/merchants' };
    return c.json(await listPage(c.env.DB, request, (row: { body: string }) => JSON.parse(row.body) as Merchant));
  })

  .get('/merchants/:id', async (c) => c.json(unwrap(await merchantStub(c.env, c.req.param('id')).retrieve())))

  .post('/merchants/:id', adminIdempotency, async (c) => {
    const patch = await readJson(c, AdminUpdateMerchantSchema);
    const merchant = unwrap(await merchantStub(c.env, c.req.param('id')).update(patch, 'admin'));
    forgetMerchant(merchant.id);
    return c.json(merchant);
  })

  .post('/merchants/:id/channels/:channel', adminIdempotency, async (c) => {
    const { channel, enabled, credentials } = await channelConfiguration(c, c.req.param('channel'), null);
    const merchant = unwrap(
      await merchantStub(c.env, c.req.param('id')).configureChannel('admin', channel, enabled, credentials),
    );
    forgetMerchant(merchant.id);
    return c.json(merchant);
  })

  .post('/merchants/:id/keys', adminIdempotency, async (c) => {
    const { kind, mode } = await readJson(c, AdminCreateApiKeyRequestSchema);
    return c.json(unwrap(await merchantStub(c.env, c.req.param('id')).createKey(kind, mode)), 201);
  })

  .post('/merchants/:id/reencrypt', adminIdempotency, async (c) => {
    const merchantId = c.req.param('id');
    const { reencrypted, key_id } = unwrap(await merchantStub(c.env, merchantId).reencrypt());
    return c.json({ object: 'reencryption' as const, merchant_id: merchantId, reencrypted, key_id });
  });
