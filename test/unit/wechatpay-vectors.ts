/** The WeChat Pay entries of test/fixtures/channels-vectors.json (copied from shared/channels-vectors.json). */
import { readFileSync } from 'node:fs';

export interface WechatVectors {
  wechat_request_get: { string_to_sign: string; signature: string };
  wechat_request_post: { string_to_sign: string; signature: string; authorization: string };
  wechat_jsapi_paysign: { string_to_sign: string; paySign: string };
  wechat_notify: {
    apiv3_key: string;
    plaintext: string;
    ciphertext_b64: string;
    body: string;
    headers: Record<string, string>;
    string_to_verify: string;
  };
  wechat_doc_test_key: { private_key_pkcs8_pem: string; public_key_spki_pem: string };
}

export const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/channels-vectors.json', import.meta.url), 'utf8'),
) as WechatVectors;

/** The doc examples' merchant: mchid and serial of WeChat's published test key. */
export const DOC_MCHID = '1900007291';
export const DOC_SERIAL = '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB';
export const DOC_APPID = 'wxd678efh567hg6787';

/**
 * Credentials of the doc merchant, verifying with the doc key as the WeChat key (as the wechat_notify vector was made).
 */
export const docCredentials = () => ({
  mchid: DOC_MCHID,
  appid: DOC_APPID,
  merchant_serial_no: DOC_SERIAL,
  private_key: vectors.wechat_doc_test_key.private_key_pkcs8_pem,
  api_v3_key: vectors.wechat_notify.apiv3_key,
  platform_keys: [
    {
      serial: vectors.wechat_notify.headers['Wechatpay-Serial']!,
      public_key: vectors.wechat_doc_test_key.public_key_spki_pem,
    },
  ],
});
