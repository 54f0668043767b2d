/** The WeChat Pay body of `POST /v1/checkout/:id/attempts`: which of the three flows the payer takes. */
import { z } from 'zod';
import { StartAttemptBaseSchema } from '../../../shared/schemas.ts';

const base = StartAttemptBaseSchema.extend({ channel: z.literal('wechatpay') });

export const WechatpayInputSchema = z.discriminatedUnion('method', [
  /** A QR code the payer scans with WeChat (desktop). */
  base.extend({ method: z.literal('native') }).strict(),
  /** WeChat's mobile web cashier, which hands over to the WeChat app (phone browsers). */
  base.extend({ method: z.literal('h5') }).strict(),
  /** Inside WeChat's own browser: the page invokes WeixinJSBridge with signed parameters. */
  base
    .extend({
      method: z.literal('jsapi'),
      /** The payer's openid for the merchant's AppID, from WeChat OAuth (snsapi_base) on the merchant's page. */
      openid: z
        .string()
        .regex(/^[0-9A-Za-z_-]{6,128}$/, "must be the payer's openid for the merchant's AppID (from WeChat OAuth)"),
    })
    .strict(),
]);

export type WechatpayInput = z.infer<typeof WechatpayInputSchema>;
