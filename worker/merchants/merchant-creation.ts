/**
 * A merchant's creation. Its keys and secrets are made first, outside the transaction (hashing and
 * sealing are async); the transaction writes them once and refuses a second creation. The answer
 * is the only place its keys and secrets are ever shown in clear.
 */
import { TillError } from '../../shared/errors.ts';
import type { ApiKeyKind, CreateMerchantRequest, Merchant, MerchantWithKeys, Mode } from '../../shared/schemas.ts';
import type { Vault } from '../base/vault.ts';
import { newRequestSigningSecret, newWebhookSecret } from './api-keys.ts';
import { type KeyLedger, type NewKey, newKey } from './key-ledger.ts';
import { findMerchant, insertMerchantRow } from './merchant-settings.ts';
import { sealContext } from './merchant-store.ts';

/** The keys a merchant starts with, in the order the answer shows them. */
const FIRST_KEYS: ReadonlyArray<[ApiKeyKind, Mode]> = [
  ['secret', 'test'],
  ['publishable', 'test'],
  ['secret', 'live'],
  ['publishable', 'live'],
];

export interface MerchantSecrets {
  keys: NewKey[];
  webhookSecret: string;
  signingSecret: string;
  sealed: { webhookSecret: string; signingSecret: string };
}

export async function newMerchantSecrets(vault: Vault, id: string): Promise<MerchantSecrets> {
  const keys = await Promise.all(FIRST_KEYS.map(([kind, mode]) => newKey(kind, mode, id)));
  const webhookSecret = newWebhookSecret();
  const signingSecret = newRequestSigningSecret();
  const [webhookSealed, signingSealed] = await Promise.all([
    vault.seal(webhookSecret, sealContext.webhookSecret(id)),
    vault.seal(signingSecret, sealContext.signingSecret(id)),
  ]);
  return {
    keys,
    webhookSecret,
    signingSecret,
    sealed: { webhookSecret: webhookSealed, signingSecret: signingSealed },
  };
}

/** Inside the creating transaction: the merchant, its channels, endpoint and keys, or a refusal. */
export function insertMerchant(
  sql: SqlStorage,
  keys: KeyLedger,
  id: string,
  request: CreateMerchantRequest,
  secrets: MerchantSecrets,
): void {
  if (findMerchant(sql)) {
    throw new TillError(
      'merchant_already_created',
      `This Idempotency-Key already created merchant ${id}; its keys were shown once: ` +
        `issue new ones with POST /v1/admin/merchants/${id}/keys`,
    );
  }
  insertMerchantRow(sql, id, request, secrets.sealed);
  for (const [i, [kind, mode]] of FIRST_KEYS.entries()) keys.insert(secrets.keys[i] as NewKey, kind, mode);
}

export function createdMerchant(merchant: Merchant, secrets: MerchantSecrets): MerchantWithKeys {
  const [secretKey, publishableKey, liveSecretKey, livePublishableKey] = secrets.keys.map((key) => key.secret);
  return {
    ...merchant,
    secret_key: secretKey as string,
    publishable_key: publishableKey as string,
    live_secret_key: liveSecretKey as string,
    live_publishable_key: livePublishableKey as string,
    webhook_secret: secrets.webhookSecret,
    request_signing_secret: secrets.signingSecret,
  };
}
