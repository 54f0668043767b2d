/**
 * Checks a signed merchant request where its secrets live: the window, the signature (HMAC with
 * the sealed signing secret or a registered Ed25519 key), then the nonce, remembered for twice
 * the window so it is never accepted twice. The nonce is recorded only after the signature held,
 * in the same transaction that saw it unused.
 */
import { TillError } from '../../shared/errors.ts';
import {
  parseRequestSignature,
  REQUEST_SIGNATURE_TOLERANCE_SECONDS,
  RequestSignatureError,
  type RequestToSign,
  verifyRequestSignature,
} from '../../shared/request-signature.ts';
import { now } from '../base/clock.ts';
import type { Vault } from '../base/vault.ts';
import { type MerchantRow, sealContext, signingPublicKeys } from './merchant-store.ts';

const SIGNATURE_ERRORS: Record<RequestSignatureError['reason'], TillError['code']> = {
  missing_signature: 'missing_signature',
  malformed_signature: 'invalid_signature',
  timestamp_outside_window: 'signature_outside_window',
  no_signing_key: 'invalid_signature',
  bad_signature: 'invalid_signature',
  nonce_replayed: 'nonce_replayed',
};

/** Returns the id of the key that signed (`secret` or an Ed25519 kid); throws TillError otherwise. */
export async function checkSignedRequest(
  storage: DurableObjectStorage,
  vault: () => Promise<Vault>,
  row: MerchantRow,
  header: string | null,
  request: RequestToSign,
): Promise<string> {
  try {
    const parsed = parseRequestSignature(header);
    const hmacSecrets =
      parsed.hmac.length > 0 && row.signing_secret_sealed
        ? [await (await vault()).open(row.signing_secret_sealed, sealContext.signingSecret(row.id))]
        : [];
    const key = await verifyRequestSignature(
      parsed,
      request,
      { hmacSecrets, publicKeys: signingPublicKeys(row) },
      { now: now() },
    );
    storage.transactionSync(() => {
      const sql = storage.sql;
      sql.exec('DELETE FROM nonces WHERE expires_at < ?', now());
      if (sql.exec('SELECT 1 FROM nonces WHERE nonce = ?', parsed.nonce).toArray().length > 0) {
        throw new RequestSignatureError(
          'nonce_replayed',
          'This nonce was already used: sign every request with a fresh nonce',
        );
      }
      sql.exec(
        'INSERT INTO nonces (nonce, expires_at) VALUES (?, ?)',
        parsed.nonce,
        parsed.timestamp + 2 * REQUEST_SIGNATURE_TOLERANCE_SECONDS,
      );
    });
    return key;
  } catch (error) {
    if (error instanceof RequestSignatureError) throw new TillError(SIGNATURE_ERRORS[error.reason], error.message);
    throw error;
  }
}
