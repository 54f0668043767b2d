/** The Alipay credentials schema: what merchants paste, and the messages when it is wrong. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AlipayCredentialsSchema } from '../../worker/channels/alipay/credentials.ts';
import {
  ALIPAY_APP_ID,
  ALIPAY_APP_PRIVATE_KEY_PKCS1,
  ALIPAY_APP_PUBLIC_KEY,
  FAKE_ALIPAY_PRIVATE_KEY,
  FAKE_ALIPAY_PUBLIC_KEY,
} from '../fakes/keys.ts';

const valid = {
  app_id: ALIPAY_APP_ID,
  app_private_key: ALIPAY_APP_PRIVATE_KEY_PKCS1,
  alipay_public_key: FAKE_ALIPAY_PUBLIC_KEY,
};

/** The first issue, as the API reports it: its path and message. */
function problem(input: Record<string, unknown>): { path: string; message: string } | null {
  const parsed = AlipayCredentialsSchema.safeParse(input);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return { path: issue.path.join('.'), message: issue.message };
}

const bare = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

describe('Alipay credentials', () => {
  it('accepts PKCS#1 and PKCS#8 private keys, as PEM or bare base64, and the Alipay public key bare', () => {
    expect(problem(valid)).toBeNull();
    expect(
      problem({ ...valid, app_private_key: FAKE_ALIPAY_PRIVATE_KEY, alipay_public_key: ALIPAY_APP_PUBLIC_KEY }),
    ).toBeNull();
    expect(
      problem({
        ...valid,
        app_private_key: bare(ALIPAY_APP_PRIVATE_KEY_PKCS1),
        alipay_public_key: bare(FAKE_ALIPAY_PUBLIC_KEY),
      }),
    ).toBeNull();
  });

  it('wants a 16-digit app id', () => {
    for (const app_id of ['202100000000000', '20210000000000011', '2021-00000000001', '']) {
      expect(problem({ ...valid, app_id })).toMatchObject({
        path: 'app_id',
        message: expect.stringContaining('16-digit APPID'),
      });
    }
  });

  it('refuses a 1024-bit key, saying Alipay wants RSA2 keys of 2048 bits', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    expect(problem({ ...valid, app_private_key: pkcs1 })).toEqual({
      path: 'app_private_key',
      message: 'must be a 2048-bit RSA key (RSA2), got 1024-bit',
    });
    const spki = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(problem({ ...valid, alipay_public_key: spki })).toEqual({
      path: 'alipay_public_key',
      message: 'must be a 2048-bit RSA key, got 1024-bit',
    });
  });

  it('refuses a public key in the private key field and a private key in the public key field', () => {
    expect(problem({ ...valid, app_private_key: ALIPAY_APP_PUBLIC_KEY })).toMatchObject({
      path: 'app_private_key',
      message: expect.stringMatching(
        /^is a public key or certificate: paste the private key \(paste the RSA2 app private key/,
      ),
    });
    expect(problem({ ...valid, alipay_public_key: FAKE_ALIPAY_PRIVATE_KEY })).toMatchObject({
      path: 'alipay_public_key',
      message: expect.stringMatching(/^is a private key: paste the public key .*支付宝公钥/),
    });
  });

  it('tells a PKCS#8 key labelled PKCS#1 and text that is no key at all', () => {
    const mislabelled = FAKE_ALIPAY_PRIVATE_KEY.replaceAll('PRIVATE KEY', 'RSA PRIVATE KEY');
    expect(problem({ ...valid, app_private_key: mislabelled })?.message).toMatch(
      /^is labelled PKCS#1 \(RSA PRIVATE KEY\) but holds a PKCS#8 key/,
    );
    expect(problem({ ...valid, app_private_key: 'not a key!' })?.message).toMatch(/^is neither PEM nor base64/);
    expect(
      problem({ ...valid, alipay_public_key: ALIPAY_APP_PUBLIC_KEY.replace(/-----END PUBLIC KEY-----/, '') })?.message,
    ).toMatch(/^is a PEM block without a matching END line/);
  });

  it("refuses the app's own public key where Alipay's belongs", () => {
    expect(problem({ ...valid, alipay_public_key: ALIPAY_APP_PUBLIC_KEY })).toEqual({
      path: 'alipay_public_key',
      message: expect.stringMatching(
        /^is the app public key \(the pair of app_private_key\), not the Alipay public key/,
      ),
    });
    expect(
      problem({
        ...valid,
        app_private_key: bare(ALIPAY_APP_PRIVATE_KEY_PKCS1),
        alipay_public_key: bare(ALIPAY_APP_PUBLIC_KEY),
      })?.path,
    ).toBe('alipay_public_key');
  });

  it('takes no other fields', () => {
    expect(AlipayCredentialsSchema.safeParse({ ...valid, seller_id: '2088000000000002' }).error?.issues[0]?.code).toBe(
      'unrecognized_keys',
    );
  });
});
