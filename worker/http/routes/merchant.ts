/** The merchant's own account: settings, channels and their credentials, API keys, signing secret, methods. */
import type { MERCHANT_ROUTES } from '../../../shared/api/routes/merchant.ts';
import { TillError } from '../../../shared/errors.ts';
import { merchantStub } from '../../base/merchant-stub.ts';
import { unwrap } from '../../base/result.ts';
import { channelOf, isChannelId } from '../../channels/registry.ts';
import { forgetMerchant } from '../auth.ts';
import type { Handlers } from '../mount.ts';
import { channelConfiguration } from './channel-configuration.ts';

export const merchantHandlers: Handlers<typeof MERCHANT_ROUTES> = {
  retrieveMerchant: async (c) => unwrap(await merchantStub(c.env, c.get('merchant').id).retrieve()),

  async updateMerchant(c, { body }) {
    const caller = c.get('merchant');
    const merchant = unwrap(await merchantStub(c.env, caller.id).update(body, caller.mode));
    forgetMerchant(merchant.id);
    return merchant;
  },

  async configureChannel(c, { params, body }) {
    const caller = c.get('merchant');
    const { channel, enabled, credentials } = channelConfiguration(c.env, params.channel, body, caller.mode);
    const stub = merchantStub(c.env, caller.id);
    const merchant = unwrap(await stub.configureChannel(caller.mode, channel, enabled, credentials));
    forgetMerchant(merchant.id);
    return merchant;
  },

  async rollSigningSecret(c) {
    const caller = c.get('merchant');
    return unwrap(await merchantStub(c.env, caller.id).rollSigningSecret(caller.mode));
  },

  async listApiKeys(c) {
    const merchant = c.get('merchant');
    const keys = unwrap(await merchantStub(c.env, merchant.id).listKeys(merchant.mode));
    return { object: 'list', data: keys, has_more: false, url: '/v1/keys' };
  },

  async createApiKey(c, { body: { kind, mode } }) {
    const merchant = c.get('merchant');
    if (mode !== undefined && mode !== merchant.mode) {
      throw new TillError(
        'invalid_parameter',
        `mode must be the mode of the key you call with (${merchant.mode})`,
        'mode',
      );
    }
    return unwrap(await merchantStub(c.env, merchant.id).createKey(kind, merchant.mode));
  },

  async rollApiKey(c, { params, body }) {
    const merchant = c.get('merchant');
    const rolled = unwrap(await merchantStub(c.env, merchant.id).rollKey(merchant.mode, params.id, body.expires_in));
    forgetMerchant(merchant.id);
    return rolled;
  },

  async revokeApiKey(c, { params }) {
    const merchant = c.get('merchant');
    const revoked = unwrap(await merchantStub(c.env, merchant.id).revokeKey(merchant.mode, params.id));
    forgetMerchant(merchant.id);
    return revoked;
  },

  // For the merchant's own pages (publishable key): which methods to show before checkout.
  listPaymentMethods(c, { query: { amount, currency, context, capture_method } }) {
    const merchant = c.get('merchant');
    const order = { amount, currency, mode: merchant.mode, capture_method };
    const data = merchant.channels.filter(isChannelId).flatMap((channel) => channelOf(channel).methods(order, context));
    return { object: 'list', data };
  },
};
