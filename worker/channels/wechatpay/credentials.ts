/**
 * A merchant's WeChat Pay API v3 account, as pasted into `PUT /v1/merchant/channels/wechatpay`.
 * Every field is checked here so a wrong paste fails at configuration with a message naming the
 * field, not at the first payment. Pure (no worker bindings), so node tests load it too.
 */
import { z } from 'zod';
import { listedOnce } from '../../../shared/schema-primitives.ts';
import { privateKeyProblem, publicKeyProblem } from '../rsa.ts';

/** A WeChat Pay public key id (public-key mode) or a platform certificate serial (certificate mode). */
const PUBLIC_KEY_ID = /^PUB_KEY_ID_[0-9A-Za-z]{1,64}$/;
const CERTIFICATE_SERIAL = /^[0-9A-Fa-f]{40}$/;

/** Upper-case hex, as WeChat prints serials and sends them in `Wechatpay-Serial`. */
const upperHex = (serial: string): string => (CERTIFICATE_SERIAL.test(serial) ? serial.toUpperCase() : serial);

export const PlatformKeySchema = z.strictObject({
  serial: z
    .string()
    .trim()
    .refine((serial) => PUBLIC_KEY_ID.test(serial) || CERTIFICATE_SERIAL.test(serial), {
      message: 'must be a WeChat Pay public key id (PUB_KEY_ID_…) or a 40-hex platform certificate serial',
    })
    .transform(upperHex),
  public_key: z.string().superRefine((text, ctx) => {
    const problem = publicKeyProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
});

export const WechatpayCredentialsSchema = z.strictObject({
  mchid: z.string().regex(/^\d{6,32}$/, 'must be the merchant id (商户号): digits only, e.g. 1900000109'),
  appid: z
    .string()
    .regex(/^wx[0-9A-Za-z]{16}$/, 'must be the AppID bound to the merchant id: wx followed by 16 letters or digits'),
  merchant_serial_no: z
    .string()
    .trim()
    .regex(CERTIFICATE_SERIAL, 'must be the serial number of the merchant API certificate: 40 hex digits')
    .transform((serial) => serial.toUpperCase()),
  private_key: z.string().superRefine((text, ctx) => {
    const problem = privateKeyProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  // The key is AES-256 key material taken as the string's bytes: exactly 32 one-byte characters.
  api_v3_key: z
    .string()
    .refine((key) => key.length === 32, {
      message: 'must be exactly 32 characters (the APIv3 key set in the merchant console)',
    })
    .refine((key) => /^[\x21-\x7e]*$/.test(key), {
      message: 'must be 32 letters, digits or ASCII symbols, with no spaces',
    }),
  platform_keys: z
    .array(PlatformKeySchema)
    .min(1, 'must hold the WeChat Pay public key (or platform certificate) that verifies WeChat Pay’s answers')
    .max(4, 'may hold at most 4 keys (current and rotating ones)')
    .refine(
      listedOnce((key: { serial: string }) => key.serial),
      { message: 'must not repeat a serial' },
    ),
});

export type WechatpayCredentials = z.infer<typeof WechatpayCredentialsSchema>;
