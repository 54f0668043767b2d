/**
 * Opens the encrypted `resource` of a WeChat Pay callback: AEAD_AES_256_GCM with the merchant's
 * APIv3 key (its 32 characters as bytes), the 12-character nonce as IV and `associated_data` as
 * AAD. The ciphertext is encrypted bytes followed by the 16-byte tag, which is exactly what
 * WebCrypto's AES-GCM decrypt takes.
 */
import { fromBase64, fromUtf8, utf8 } from '../../../shared/encoding.ts';
import { promiseCache } from '../../base/promise-cache.ts';

export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  nonce: string;
  associated_data?: string | undefined;
}

export class ResourceDecryptError extends Error {
  override name = 'ResourceDecryptError';
}

function base64Bytes(text: string): Uint8Array<ArrayBuffer> {
  try {
    return fromBase64(text);
  } catch {
    throw new ResourceDecryptError('ciphertext is not base64');
  }
}

// Importing costs more than one decryption; a worker serves few merchants' keys at a time.
const imported = promiseCache<CryptoKey>(64);
const aesKey = (apiV3Key: string): Promise<CryptoKey> =>
  imported(apiV3Key, () => crypto.subtle.importKey('raw', utf8(apiV3Key), 'AES-GCM', false, ['decrypt']));

/** The resource's plaintext (UTF-8 JSON text); throws ResourceDecryptError when it does not open. */
export async function decryptResource(apiV3Key: string, resource: EncryptedResource): Promise<string> {
  if (resource.algorithm !== 'AEAD_AES_256_GCM')
    throw new ResourceDecryptError(`resource algorithm ${resource.algorithm} is not AEAD_AES_256_GCM`);
  if (utf8(apiV3Key).length !== 32) throw new ResourceDecryptError('the APIv3 key is not 32 bytes');
  const data = base64Bytes(resource.ciphertext);
  if (data.length < 16) throw new ResourceDecryptError('ciphertext is shorter than its tag');
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: utf8(resource.nonce),
        additionalData: utf8(resource.associated_data ?? ''),
        tagLength: 128,
      },
      await aesKey(apiV3Key),
      data,
    );
  } catch {
    // The tag does not match: another APIv3 key, or the resource was altered.
    throw new ResourceDecryptError('resource does not decrypt with the APIv3 key');
  }
  try {
    return fromUtf8(new Uint8Array(plain));
  } catch {
    throw new ResourceDecryptError('resource plaintext is not UTF-8');
  }
}
