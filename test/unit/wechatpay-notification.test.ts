import { describe, expect, it } from 'vitest';
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import { TillError } from '../../shared/errors.ts';
import { WechatpayCredentialsSchema } from '../../worker/channels/wechatpay/credentials.ts';
import { readNotification } from '../../worker/channels/wechatpay/notification.ts';
import { decryptResource, ResourceDecryptError } from '../../worker/channels/wechatpay/resource-crypto.ts';
import { refundProblemOf, refundStatusOf } from '../../worker/channels/wechatpay/trade-state.ts';
import { docCredentials, vectors } from './wechatpay-vectors.ts';

const note = vectors.wechat_notify;
const signedAt = Number(note.headers['Wechatpay-Timestamp']);
const credentials = WechatpayCredentialsSchema.parse(docCredentials());
const docKey = Rsa.from(vectors.wechat_doc_test_key.private_key_pkcs8_pem, 'private');

const headersOf = (overrides: Record<string, string | null> = {}): Headers => {
  const headers = new Headers({ ...note.headers, 'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048' });
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  return headers;
};

/** Signs `body` as the WeChat side did for the vector (the doc test key stands in for WeChat's). */
function signed(body: string, timestamp = signedAt): Headers {
  const nonce = 'n0nce';
  return new Headers({
    'Wechatpay-Timestamp': String(timestamp),
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Serial': note.headers['Wechatpay-Serial']!,
    'Wechatpay-Signature': Rsa.sign(Formatter.response(timestamp, nonce, body), docKey),
  });
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TillError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('WeChat Pay callbacks', () => {
  it('decrypts the vector resource with WebCrypto (AES-256-GCM, tag at the end)', async () => {
    const resource = {
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: note.ciphertext_b64,
      nonce: 'fdasflkja484',
      associated_data: 'transaction',
    };
    expect(await decryptResource(note.apiv3_key, resource)).toBe(note.plaintext);
    await expect(decryptResource('0123456789abcdef0123456789abcdeX', resource)).rejects.toThrow(ResourceDecryptError);
    await expect(decryptResource(note.apiv3_key, { ...resource, associated_data: 'refund' })).rejects.toThrow(
      ResourceDecryptError,
    );
  });

  it('verifies and reads the vector callback', async () => {
    expect(await readNotification(credentials, note.body, headersOf(), signedAt)).toEqual({
      kind: 'payment',
      eventId: 'EV-2018022511223320873',
      attemptId: '1217752501201407033233368018',
      transactionId: '4200000000000000000000000001',
      tradeState: 'SUCCESS',
      tradeStateDesc: '支付成功',
      amount: 100,
      currency: 'CNY',
    });
  });

  it('holds the timestamp to 300 s either way', async () => {
    await expect(readNotification(credentials, note.body, headersOf(), signedAt + 300)).resolves.toMatchObject({
      kind: 'payment',
    });
    await expect(readNotification(credentials, note.body, headersOf(), signedAt - 300)).resolves.toMatchObject({
      kind: 'payment',
    });
    expect(await refusal(readNotification(credentials, note.body, headersOf(), signedAt + 301))).toMatch(
      /^invalid_signature: .*more than 300 s/,
    );
    expect(await refusal(readNotification(credentials, note.body, headersOf(), signedAt - 301))).toMatch(
      /^invalid_signature/,
    );
  });

  it('refuses WECHATPAY/SIGNTEST/ probes', async () => {
    const probe = headersOf({ 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${note.headers['Wechatpay-Signature']}` });
    expect(await refusal(readNotification(credentials, note.body, probe, signedAt))).toMatch(
      /^invalid_signature: .*SIGNTEST/,
    );
  });

  it('refuses a tampered body, an unknown serial, missing headers and another signature type', async () => {
    const tampered = note.body.replace('"summary":"支付成功"', '"summary":"支付成功 "');
    expect(await refusal(readNotification(credentials, tampered, headersOf(), signedAt))).toMatch(
      /^invalid_signature: .*does not verify/,
    );
    const otherSerial = headersOf({ 'Wechatpay-Serial': 'PUB_KEY_ID_0000000000000000000000000000000002' });
    expect(await refusal(readNotification(credentials, note.body, otherSerial, signedAt))).toMatch(
      /^invalid_signature: .*not among the configured/,
    );
    expect(
      await refusal(readNotification(credentials, note.body, headersOf({ 'Wechatpay-Nonce': null }), signedAt)),
    ).toMatch(/^invalid_signature: .*lacks/);
    const type = headersOf({ 'Wechatpay-Signature-Type': 'WECHATPAY2-SM2-WITH-SM3' });
    expect(await refusal(readNotification(credentials, note.body, type, signedAt))).toMatch(
      /^invalid_signature: .*Signature-Type/,
    );
  });

  it('refuses a validly signed callback whose resource does not open with the APIv3 key', async () => {
    const body = JSON.parse(note.body) as { resource: { ciphertext: string } };
    const bytes = Buffer.from(body.resource.ciphertext, 'base64');
    bytes[10]! ^= 1;
    body.resource.ciphertext = bytes.toString('base64');
    const text = JSON.stringify(body);
    expect(await refusal(readNotification(credentials, text, signed(text), signedAt))).toMatch(
      /^invalid_signature: .*does not decrypt/,
    );
    const otherKey = { ...credentials, api_v3_key: 'ffffffffffffffffffffffffffffffff' };
    expect(await refusal(readNotification(otherKey, note.body, headersOf(), signedAt))).toMatch(/^invalid_signature/);
  });

  it('refuses a callback for another merchant id or AppID', async () => {
    expect(
      await refusal(readNotification({ ...credentials, mchid: '1900000001' }, note.body, headersOf(), signedAt)),
    ).toMatch(/^invalid_signature: .*another merchant/);
    expect(
      await refusal(
        readNotification({ ...credentials, appid: 'wx0000000000000000' }, note.body, headersOf(), signedAt),
      ),
    ).toMatch(/another merchant/);
  });

  it('reads refund callbacks (resource encrypted by the plugin with AAD "refund")', async () => {
    const resource = {
      mchid: credentials.mchid,
      out_trade_no: 'att_0123456789abcdefghij',
      transaction_id: '4200000000000000000000000001',
      out_refund_no: 're_0123456789abcdefghijklmn',
      refund_id: '50000000000000000000000000001',
      refund_status: 'ABNORMAL',
      user_received_account: '支付用户零钱',
      amount: { total: 100, refund: 40, payer_total: 100, payer_refund: 40 },
    };
    const ciphertext = Aes.AesGcm.encrypt(JSON.stringify(resource), note.apiv3_key, 'abcdefghijkl', 'refund');
    const body = JSON.stringify({
      id: 'EV-refund-1',
      create_time: '2024-01-01T12:00:11+08:00',
      resource_type: 'encrypt-resource',
      event_type: 'REFUND.ABNORMAL',
      summary: '退款异常',
      resource: {
        original_type: 'refund',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext,
        associated_data: 'refund',
        nonce: 'abcdefghijkl',
      },
    });
    expect(await readNotification(credentials, body, signed(body), signedAt)).toEqual({
      kind: 'refund',
      eventId: 'EV-refund-1',
      attemptId: resource.out_trade_no,
      refundId: resource.out_refund_no,
      wechatRefundId: resource.refund_id,
      refundStatus: 'ABNORMAL',
    });
  });

  it('answers malformed bodies with invalid_json / invalid_parameter, after the signature', async () => {
    expect(await refusal(readNotification(credentials, 'not json', signed('not json'), signedAt))).toMatch(
      /^invalid_json/,
    );
    const plain = JSON.stringify({
      id: 'EV-1',
      event_type: 'TRANSACTION.SUCCESS',
      resource_type: 'plain',
      resource: {},
    });
    expect(await refusal(readNotification(credentials, plain, signed(plain), signedAt))).toMatch(/^invalid_parameter/);
  });
});

describe('refund states', () => {
  it(
    'ends a refund only at SUCCESS or CLOSED: ABNORMAL (the bank leg failed) ' +
      'can still end SUCCESS, so it stays pending',
    () => {
      expect(refundStatusOf('SUCCESS')).toBe('succeeded');
      expect(refundStatusOf('PROCESSING')).toBe('pending');
      expect(refundStatusOf('ABNORMAL')).toBe('pending');
      expect(refundStatusOf('CLOSED')).toBe('failed');
      expect(refundProblemOf('CLOSED')).toEqual({
        code: 'refund_declined',
        message: expect.stringContaining('(CLOSED)'),
      });
      expect(refundProblemOf('ABNORMAL')?.message).toContain('(ABNORMAL)');
      expect(refundProblemOf('SUCCESS')).toBeNull();
    },
  );
});
