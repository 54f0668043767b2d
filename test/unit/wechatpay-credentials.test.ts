import { describe, expect, it } from 'vitest';
import { WechatpayCredentialsSchema } from '../../worker/channels/wechatpay/credentials.ts';
import {
  FAKE_WECHAT_CERT_SERIAL,
  FAKE_WECHAT_CERTIFICATE_MODE,
  FAKE_WECHAT_PLATFORM_PUBLIC_KEY,
  FAKE_WECHAT_PUBLIC_KEY_ID,
  FAKE_WECHAT_PUBLIC_KEY_MODE,
  fakeWechatpayCredentials,
  WECHAT_API_V3_KEY,
  WECHAT_MERCHANT_PRIVATE_KEY,
  WECHAT_MERCHANT_PUBLIC_KEY,
  WECHAT_MERCHANT_SERIAL,
} from '../fakes/keys.ts';

const valid = fakeWechatpayCredentials({
  platform_keys: [
    FAKE_WECHAT_PUBLIC_KEY_MODE,
    { ...FAKE_WECHAT_CERTIFICATE_MODE, serial: FAKE_WECHAT_CERT_SERIAL.toLowerCase() },
  ],
});

/** The first problem, as the API words it: "Invalid credentials.<path>: <message>". */
function problem(input: Record<string, unknown>): string {
  const parsed = WechatpayCredentialsSchema.safeParse(input);
  if (parsed.success) return 'valid';
  const issue = parsed.error.issues[0]!;
  return `${issue.path.join('.')} ${issue.message}`;
}

describe('WeChat Pay credentials', () => {
  it('accepts a public key and a platform certificate, normalising serials to upper case', () => {
    const parsed = WechatpayCredentialsSchema.parse({
      ...valid,
      merchant_serial_no: WECHAT_MERCHANT_SERIAL.toLowerCase(),
    });
    expect(parsed.merchant_serial_no).toBe(WECHAT_MERCHANT_SERIAL);
    expect(parsed.platform_keys.map((key) => key.serial)).toEqual([FAKE_WECHAT_PUBLIC_KEY_ID, FAKE_WECHAT_CERT_SERIAL]);
    // Stored credentials are read again with the same schema: parsing twice changes nothing.
    expect(WechatpayCredentialsSchema.parse(parsed)).toEqual(parsed);
  });

  it.each([
    [{ mchid: 'mch-1' }, /^mchid must be the merchant id/],
    [{ appid: 'wx123' }, /^appid must be the AppID/],
    [
      { merchant_serial_no: 'not-a-serial' },
      /^merchant_serial_no must be the serial number of the merchant API certificate/,
    ],
    [
      { private_key: WECHAT_MERCHANT_PUBLIC_KEY },
      /^private_key is a public key or certificate: paste the private key$/,
    ],
    [{ private_key: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----' }, /^private_key (is|has)/],
    [{ api_v3_key: WECHAT_API_V3_KEY.slice(1) }, /^api_v3_key must be exactly 32 characters/],
    [{ api_v3_key: `${WECHAT_API_V3_KEY.slice(1)} ` }, /^api_v3_key must be 32 letters, digits or ASCII symbols/],
    [{ platform_keys: [] }, /^platform_keys must hold the WeChat Pay public key/],
    [
      { platform_keys: [{ serial: 'PUB_KEY_ID_1', public_key: WECHAT_MERCHANT_PRIVATE_KEY }] },
      /^platform_keys\.0\.public_key is a private key/,
    ],
    [
      { platform_keys: [{ serial: 'ABC', public_key: FAKE_WECHAT_PLATFORM_PUBLIC_KEY }] },
      /^platform_keys\.0\.serial must be a WeChat Pay public key id/,
    ],
    [{ platform_keys: [valid.platform_keys[0], valid.platform_keys[0]] }, /^platform_keys must not repeat a serial/],
    [{ platform_keys: Array(5).fill(valid.platform_keys[0]) }, /^platform_keys may hold at most 4 keys/],
    [{ apiclient_cert: 'x' }, /^ Unrecognized key/i],
  ])('refuses %j clearly', (change, message) => {
    expect(problem({ ...valid, ...change })).toMatch(message);
  });
});
