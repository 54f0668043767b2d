/**
 * The `cards` table and the only code that writes it: the vaulted cards of this order's attempts
 * (channels/card/vaulted-card.ts). A card's sealed number and expiry are erased a grace period
 * after its order ends; brand, BIN, last 4, expiry and fingerprint stay, for the timeline and risk.
 * Synchronous: callers compose these inside the order object's transactions.
 */
import type { VaultedCard } from '../channels/card/vaulted-card.ts';

/** Long enough for a shopper's retry or a processor's failover to reuse the card, no longer. */
export const CARD_ERASE_GRACE_SECONDS = 10 * 60;

interface CardRow extends Record<string, SqlStorageValue> {
  token: string;
  attempt_id: string;
  fingerprint: string;
  brand: string;
  bin: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  sealed: string | null;
  created_at: number;
  erased_at: number | null;
}

const vaultedCardOf = (row: CardRow): VaultedCard => ({
  token: row.token,
  fingerprint: row.fingerprint,
  brand: row.brand,
  bin: row.bin,
  last4: row.last4,
  expMonth: row.exp_month,
  expYear: row.exp_year,
  sealed: row.sealed,
});

export class CardsTable {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  /** The card an attempt was started with, if it was a card. */
  ofAttempt(attemptId: string): VaultedCard | undefined {
    const row = this.sql.exec<CardRow>('SELECT * FROM cards WHERE attempt_id = ?', attemptId).toArray()[0];
    return row ? vaultedCardOf(row) : undefined;
  }

  /** The oldest time a card still sealed was kept, or null when none is. */
  oldestSealedAt(): number | null {
    return this.sql
      .exec<{ at: number | null }>('SELECT MIN(created_at) AS at FROM cards WHERE sealed IS NOT NULL')
      .one().at;
  }

  keep(card: VaultedCard, attemptId: string, at: number): void {
    this.sql.exec(
      `INSERT INTO cards (token, attempt_id, fingerprint, brand, bin, last4, exp_month, exp_year, sealed, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      card.token,
      attemptId,
      card.fingerprint,
      card.brand,
      card.bin,
      card.last4,
      card.expMonth,
      card.expYear,
      card.sealed,
      at,
    );
  }

  /** Erases every sealed number and expiry; answers how many were erased. */
  eraseAll(at: number): number {
    return this.sql
      .exec('UPDATE cards SET sealed = NULL, erased_at = ? WHERE sealed IS NOT NULL RETURNING 1', at)
      .toArray().length;
  }
}
