/** From a channel context to a gateway: which Alipay (sandbox or production) and whose app. */
import { TillError } from '../../../shared/errors.ts';
import type { ChannelContext } from '../types.ts';
import type { AlipayCredentials } from './credentials.ts';
import { ALIPAY_GATEWAY, ALIPAY_SANDBOX_GATEWAY, type GatewayConfig } from './gateway.ts';

/** The merchant's Alipay app for the order's mode; none configured is a channel Till cannot use. */
export function credentialsOf(ctx: ChannelContext<AlipayCredentials>): AlipayCredentials {
  if (!ctx.credentials) throw new TillError('channel_not_available', `Alipay has no credentials for ${ctx.mode} mode`);
  return ctx.credentials;
}

/** Test mode talks to Alipay's sandbox (or the operator's stand-in), live mode to production. */
export function gatewayOf(ctx: ChannelContext<AlipayCredentials>): GatewayConfig {
  const url =
    ctx.mode === 'live'
      ? (ctx.env.ALIPAY_GATEWAY_LIVE ?? ALIPAY_GATEWAY)
      : (ctx.env.ALIPAY_GATEWAY_TEST ?? ALIPAY_SANDBOX_GATEWAY);
  return { url, credentials: credentialsOf(ctx) };
}
