/**
 * Master key rotation for sealed channel credentials and merchant secrets.
 *
 *   node scripts/master-key.ts new <key id>
 *       prints a fresh TILL_MASTER_KEY value ("<key id>:<32 random bytes, base64url>")
 *   TILL_ADMIN_KEY=… node scripts/master-key.ts reencrypt <worker url>
 *       re-seals every merchant's secrets under the worker's current TILL_MASTER_KEY
 *
 * Rotation: put the old value in TILL_PREVIOUS_MASTER_KEYS, the new one in TILL_MASTER_KEY,
 * deploy, run `reencrypt`, then, 25 h later, drop the old key from TILL_PREVIOUS_MASTER_KEYS.
 */
import { newMasterKeySpec } from '../worker/base/vault.ts';

interface MerchantPage {
  data: Array<{ id: string }>;
  has_more: boolean;
}

async function adminCall<T>(base: string, adminKey: string, path: string, method = 'GET'): Promise<T> {
  const response = await fetch(new URL(path, base), { method, headers: { authorization: `Bearer ${adminKey}` } });
  const body = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${body.error?.code ?? ''} ${body.error?.message ?? ''}`);
  return body;
}

export async function reencryptAll(
  base: string,
  adminKey: string,
  log: (line: string) => void = console.log,
): Promise<{ merchants: number; resealed: number }> {
  let cursor: string | undefined;
  let merchants = 0;
  let resealed = 0;
  for (;;) {
    const page = await adminCall<MerchantPage>(
      base,
      adminKey,
      `/v1/admin/merchants?limit=100${cursor ? `&starting_after=${cursor}` : ''}`,
    );
    for (const { id } of page.data) {
      const result = await adminCall<{ reencrypted: number; key_id: string }>(
        base,
        adminKey,
        `/v1/admin/merchants/${id}/reencrypt`,
        'POST',
      );
      merchants++;
      resealed += result.reencrypted;
      log(`${id}: ${result.reencrypted} value(s) re-sealed under ${result.key_id}`);
    }
    if (!page.has_more || page.data.length === 0) break;
    cursor = page.data.at(-1)?.id;
  }
  return { merchants, resealed };
}

async function main(argv: string[]): Promise<void> {
  const [command, argument] = argv;
  if (command === 'new' && argument) {
    console.log(newMasterKeySpec(argument));
    return;
  }
  if (command === 'reencrypt' && argument) {
    const adminKey = process.env.TILL_ADMIN_KEY;
    if (!adminKey) throw new Error('set TILL_ADMIN_KEY to the worker’s admin key');
    const { merchants, resealed } = await reencryptAll(argument, adminKey);
    console.log(`done: ${merchants} merchant(s), ${resealed} value(s) re-sealed`);
    // Stored idempotent answers are not re-sealed: they expire instead.
    const until = new Date(Date.now() + 25 * 3600 * 1000).toISOString();
    console.log(
      'keep the previous key in TILL_PREVIOUS_MASTER_KEYS until ' +
        `${until} (idempotent answers sealed under it expire then)`,
    );
    return;
  }
  console.error('usage: node scripts/master-key.ts new <key id> | reencrypt <worker url>');
  process.exitCode = 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error((error as Error).message);
    process.exitCode = 1;
  });
}
