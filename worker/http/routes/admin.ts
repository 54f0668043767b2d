/** Platform administration (admin key): onboard, configure, disable merchants; issue keys; re-seal secrets. */
import type { ADMIN_ORDER_ROUTES, ADMIN_ROUTES } from '../../../shared/api/routes/admin.ts';
import { TillError } from '../../../shared/errors.ts';
import type { Merchant } from '../../../shared/schemas.ts';
import { merchantIdForIdempotencyKey, newMerchantId } from '../../base/ids.ts';
import { type ListRequest, listPage } from '../../base/listing.ts';
import { merchantStub } from '../../base/merchant-stub.ts';
import { orderStub } from '../../base/order-stub.ts';
import { unwrap } from '../../base/result.ts';
import { isChannelId } from '../../channels/registry.ts';
import { forgetMerchant } from '../auth.ts';
import { IDEMPOTENCY_KEY_HEADER } from '../idempotency.ts';
import type { Handlers } from '../mount.ts';
import { channelConfiguration } from './channel-configuration.ts';

export const adminHandlers: Handlers<typeof ADMIN_ROUTES & typeof ADMIN_ORDER_ROUTES> = {
  async adminCreateMerchant(c, { body: request }) {
    const unknown = request.channels.find((channel) => !isChannelId(channel));
    if (unknown) throw new TillError('channel_not_available', `Unknown channel: ${unknown}`, 'channels');
    const idempotencyKey = c.req.header(IDEMPOTENCY_KEY_HEADER);
    // With a key, a retry that finds its first attempt died half-way cannot make a second merchant.
    const id = idempotencyKey ? await merchantIdForIdempotencyKey(idempotencyKey) : newMerchantId();
    return unwrap(await merchantStub(c.env, id).create(id, request));
  },

  async adminListMerchants(c, { query }) {
    const request: ListRequest = { table: 'merchants', owner: [], filters: [], query, url: '/v1/admin/merchants' };
    return listPage(c.env.DB, request, (row: { body: string }) => JSON.parse(row.body) as Merchant);
  },

  adminRetrieveMerchant: async (c, { params }) => unwrap(await merchantStub(c.env, params.id).retrieve()),

  async adminUpdateMerchant(c, { params, body }) {
    const merchant = unwrap(await merchantStub(c.env, params.id).update(body, 'admin'));
    forgetMerchant(merchant.id);
    return merchant;
  },

  async adminConfigureChannel(c, { params, body }) {
    const { channel, enabled, credentials } = channelConfiguration(c.env, params.channel, body, null);
    const merchant = unwrap(
      await merchantStub(c.env, params.id).configureChannel('admin', channel, enabled, credentials),
    );
    forgetMerchant(merchant.id);
    return merchant;
  },

  async adminCreateApiKey(c, { params, body: { kind, mode } }) {
    return unwrap(await merchantStub(c.env, params.id).createKey(kind, mode));
  },

  async adminReencryptMerchant(c, { params }) {
    const { reencrypted, key_id } = unwrap(await merchantStub(c.env, params.id).reencrypt());
    return { object: 'reencryption', merchant_id: params.id, reencrypted, key_id };
  },

  async adminListOrderNotifications(c, { params }) {
    return { object: 'list', data: unwrap(await orderStub(c.env, params.id).channelNotifications('operator')) };
  },
};
