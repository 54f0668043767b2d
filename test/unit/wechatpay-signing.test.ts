import { describe, expect, it } from 'vitest';
import { Formatter, Rsa } from 'wechatpay-axios-plugin';
import { authorization, jsapiParams, paySignMessage, requestMessage } from '../../worker/channels/wechatpay/signing.ts';
import { DOC_MCHID, DOC_SERIAL, vectors } from './wechatpay-vectors.ts';

const key = vectors.wechat_doc_test_key.private_key_pkcs8_pem;
const seed = { timestamp: 1554208460, nonce: '593BEC0C930BF1AFEB40B4A08C8FB242' };
const signer = { mchid: DOC_MCHID, serialNo: DOC_SERIAL, privateKey: key };

/** The header's key="value" pairs, whose order WeChat leaves free. */
function pairs(header: string): Record<string, string> {
  const [scheme, rest = ''] = header.split(/ (.*)/s);
  expect(scheme).toBe('WECHATPAY2-SHA256-RSA2048');
  return Object.fromEntries(
    rest.split(',').map((part) => /^(\w+)="([^"]*)"$/.exec(part)!.slice(1, 3) as [string, string]),
  );
}

describe('WeChat Pay request signatures (official doc test key)', () => {
  const postBody = vectors.wechat_request_post.string_to_sign.split('\n')[4]!;

  it('builds the five-line message, each line ending in \\n, exactly as the plugin does', () => {
    const get = requestMessage('GET', '/v3/refund/domestic/refunds/123123123123', seed.timestamp, seed.nonce, '');
    expect(get).toBe(vectors.wechat_request_get.string_to_sign);
    expect(get).toBe(
      Formatter.request('GET', '/v3/refund/domestic/refunds/123123123123', seed.timestamp, seed.nonce, ''),
    );
    expect(requestMessage('post', '/v3/pay/transactions/jsapi', seed.timestamp, seed.nonce, postBody)).toBe(
      vectors.wechat_request_post.string_to_sign,
    );
  });

  it('reproduces the doc signature of a GET (empty body)', async () => {
    const header = await authorization(signer, 'GET', '/v3/refund/domestic/refunds/123123123123', '', seed);
    expect(pairs(header).signature).toBe(vectors.wechat_request_get.signature);
  });

  it('reproduces the doc signature and Authorization header of a POST', async () => {
    const header = await authorization(signer, 'POST', '/v3/pay/transactions/jsapi', postBody, seed);
    const signed = /mchid="\d+",nonce_str="\w+",timestamp="\d+",serial_no="[0-9A-F]{40}"/;
    const signature = /signature="[A-Za-z0-9+/=]+"/;
    expect(header).toMatch(new RegExp(`^WECHATPAY2-SHA256-RSA2048 ${signed.source},${signature.source}$`));
    expect(pairs(header)).toEqual(pairs(vectors.wechat_request_post.authorization));
    expect(pairs(header).signature).toBe(vectors.wechat_request_post.signature);
  });

  it('signs the query string as part of the URL', async () => {
    const withQuery = pairs(
      await authorization(signer, 'GET', '/v3/pay/transactions/out-trade-no/att_1?mchid=1900007291', '', seed),
    ).signature!;
    const without = pairs(await authorization(signer, 'GET', '/v3/pay/transactions/out-trade-no/att_1', '', seed))
      .signature!;
    expect(withQuery).not.toBe(without);
    const message = Formatter.request(
      'GET',
      '/v3/pay/transactions/out-trade-no/att_1?mchid=1900007291',
      seed.timestamp,
      seed.nonce,
    );
    expect(Rsa.verify(message, withQuery, Rsa.from(vectors.wechat_doc_test_key.public_key_spki_pem, 'public'))).toBe(
      true,
    );
  });
});

describe('JSAPI paySign', () => {
  it('reproduces the vector over appId\\ntimeStamp\\nnonceStr\\npackage\\n (signType unsigned)', async () => {
    const [appId, timeStamp, nonceStr, pkg] = vectors.wechat_jsapi_paysign.string_to_sign.split('\n');
    expect(paySignMessage(appId!, timeStamp!, nonceStr!, pkg!)).toBe(vectors.wechat_jsapi_paysign.string_to_sign);
    const params = await jsapiParams(key, appId!, pkg!.replace('prepay_id=', ''), {
      timestamp: Number(timeStamp),
      nonce: nonceStr!,
    });
    expect(params).toEqual({
      appId,
      timeStamp,
      nonceStr,
      package: pkg,
      signType: 'RSA',
      paySign: vectors.wechat_jsapi_paysign.paySign,
    });
  });
});
