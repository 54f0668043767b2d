/**
 * Keeps a merchant's secrets sealed under the current master key. Sealing is async, so the values
 * are read first and written afterwards, each only if it is still the value read: a secret changed
 * in between (new credentials, a rolled secret) is newer and wins.
 */

import type { Vault } from '../base/vault.ts';
import { type ChannelCredentialsRow, type MerchantRow, sealContext } from './merchant-store.ts';

/** Merchants created before secrets were sealed kept their webhook secret in clear: sealed on load. */
export async function sealLegacySecrets(
  storage: DurableObjectStorage,
  vault: () => Promise<Vault>,
  row: MerchantRow | undefined,
): Promise<void> {
  if (!row || row.webhook_secret === '') return;
  const sealed = await (await vault()).seal(row.webhook_secret, sealContext.webhookSecret(row.id));
  storage.sql.exec("UPDATE merchant SET webhook_secret_sealed = ?, webhook_secret = ''", sealed);
}

/** Re-seals every secret under the current master key; returns how many were re-sealed and written. */
export async function resealMerchant(storage: DurableObjectStorage, vault: Vault, row: MerchantRow): Promise<number> {
  const plan: Array<{ sql: string; where: SqlStorageValue[]; before: string; after: string }> = [];
  const add = async (sql: string, where: SqlStorageValue[], before: string | null, context: string) => {
    if (!before) return;
    const after = await vault.reseal(before, context);
    if (after !== before) plan.push({ sql, where, before, after });
  };
  await add(
    'UPDATE merchant SET webhook_secret_sealed = ?1 WHERE webhook_secret_sealed = ?2',
    [],
    row.webhook_secret_sealed,
    sealContext.webhookSecret(row.id),
  );
  await add(
    'UPDATE merchant SET signing_secret_sealed = ?1 WHERE signing_secret_sealed = ?2',
    [],
    row.signing_secret_sealed,
    sealContext.signingSecret(row.id),
  );
  for (const credentials of storage.sql.exec<ChannelCredentialsRow>('SELECT * FROM channel_credentials').toArray()) {
    const sql = 'UPDATE channel_credentials SET sealed = ?1 WHERE sealed = ?2 AND channel = ?3 AND mode = ?4';
    await add(
      sql,
      [credentials.channel, credentials.mode],
      credentials.sealed,
      sealContext.channel(row.id, credentials.channel, credentials.mode),
    );
  }
  const endpoints = storage.sql
    .exec<{ id: string; is_primary: number; secret_sealed: string | null; previous_secret_sealed: string | null }>(
      'SELECT id, is_primary, secret_sealed, previous_secret_sealed FROM webhook_endpoints',
    )
    .toArray();
  for (const endpoint of endpoints) {
    // The primary endpoint's previous secret was the merchant's webhook secret: same place, same context.
    const context =
      endpoint.is_primary === 1 ? sealContext.webhookSecret(row.id) : sealContext.webhookEndpoint(row.id, endpoint.id);
    await add(
      'UPDATE webhook_endpoints SET secret_sealed = ?1 WHERE secret_sealed = ?2 AND id = ?3',
      [endpoint.id],
      endpoint.secret_sealed,
      context,
    );
    const previous =
      'UPDATE webhook_endpoints SET previous_secret_sealed = ?1 WHERE previous_secret_sealed = ?2 AND id = ?3';
    await add(previous, [endpoint.id], endpoint.previous_secret_sealed, context);
  }
  return storage.transactionSync(() =>
    plan.reduce(
      (count, step) =>
        count + storage.sql.exec(`${step.sql} RETURNING 1`, step.after, step.before, ...step.where).toArray().length,
      0,
    ),
  );
}
