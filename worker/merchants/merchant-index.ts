/** Keeps the D1 copy of a merchant (for the admin listing) current; newer versions win. */
import type { Merchant } from '../../shared/schemas.ts';
import { nowMs } from '../base/clock.ts';
import { channelRows, findMerchant, markIndexed } from './merchant-settings.ts';
import { merchantView } from './merchant-store.ts';

/** Copies the merchant to the index once its version moved on; a failed write is tried again 30 s later. */
export async function syncMerchantIndex(db: D1Database, storage: DurableObjectStorage, sql: SqlStorage): Promise<void> {
  const row = findMerchant(sql);
  if (!row || row.version <= row.indexed_version) return;
  if (await writeMerchantToIndex(db, merchantView(row, channelRows(sql)), row.version)) {
    markIndexed(sql, row.version);
  } else {
    await storage.setAlarm(nowMs() + 30_000);
  }
}

async function writeMerchantToIndex(db: D1Database, merchant: Merchant, version: number): Promise<boolean> {
  try {
    await db
      .prepare(
        `INSERT INTO merchants (id, name, disabled, created_at, body, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, disabled = excluded.disabled, body = excluded.body,
           version = excluded.version
         WHERE excluded.version > merchants.version`,
      )
      .bind(
        merchant.id,
        merchant.name,
        merchant.disabled ? 1 : 0,
        merchant.created_at,
        JSON.stringify(merchant),
        version,
      )
      .run();
    return true;
  } catch (error) {
    console.warn('merchants index write failed', { merchant: merchant.id, error: (error as Error)?.name });
    return false;
  }
}
