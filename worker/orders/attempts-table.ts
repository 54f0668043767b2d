/**
 * The `attempts` table and the only code that writes it. An attempt is opened `pending`; every
 * later status goes through the attempt transition table, guarded by the status it was read in.
 * The reconciliation schedule (`next_query_at`, `queries`, `closed_at`) lives here too.
 * Synchronous: callers compose these inside the order object's transactions.
 */

import type { Currency } from '../../shared/money.ts';
import { canTransitionAttempt } from '../../shared/order-model.ts';
import type { ChannelOutcome, StartResult } from '../channels/types.ts';
import type { AttemptRow } from './order-store.ts';

/** Attempts whose money may still move at the channel. */
const LIVE = "('requires_action', 'processing', 'authorized')";

export interface NewAttempt {
  id: string;
  channel: string;
  method: string;
  amount: number;
  currency: Currency;
  at: number;
  /** The worker origin the attempt was started from, for the channel's later calls. */
  origin: string;
}

export class AttemptsTable {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  // ---- reads ---------------------------------------------------------------------------

  all(): AttemptRow[] {
    return this.sql.exec<AttemptRow>('SELECT * FROM attempts ORDER BY seq').toArray();
  }

  find(id: string): AttemptRow | undefined {
    return this.sql.exec<AttemptRow>('SELECT * FROM attempts WHERE id = ?', id).toArray()[0];
  }

  /** Keeps the channel's reference for an attempt whose start answer never brought it (found later). */
  adoptChannelRef(id: string, channelRef: string): void {
    this.sql.exec('UPDATE attempts SET channel_ref = ? WHERE id = ? AND channel_ref IS NULL', channelRef, id);
  }

  /** The attempt a channel knows by its own reference (a processor's payment id). */
  findByChannelRef(channel: string, channelRef: string): AttemptRow | undefined {
    return this.sql
      .exec<AttemptRow>('SELECT * FROM attempts WHERE channel = ? AND channel_ref = ?', channel, channelRef)
      .toArray()[0];
  }

  latest(): AttemptRow | undefined {
    return this.sql.exec<AttemptRow>('SELECT * FROM attempts ORDER BY seq DESC LIMIT 1').toArray()[0];
  }

  /** Attempts still waiting on a channel call or on the channel's answer. */
  inFlight(): AttemptRow[] {
    return this.sql.exec<AttemptRow>("SELECT * FROM attempts WHERE status IN ('pending', 'processing')").toArray();
  }

  /** Attempts that could still take money, except `keep`. */
  live(keep = ''): AttemptRow[] {
    return this.sql.exec<AttemptRow>(`SELECT * FROM attempts WHERE status IN ${LIVE} AND id != ?`, keep).toArray();
  }

  /** The attempt holding an authorization the merchant may capture or void. */
  authorized(): AttemptRow | undefined {
    return this.sql
      .exec<AttemptRow>("SELECT * FROM attempts WHERE status = 'authorized' ORDER BY seq DESC LIMIT 1")
      .toArray()[0];
  }

  dueQueries(at: number): AttemptRow[] {
    return this.sql.exec<AttemptRow>('SELECT * FROM attempts WHERE next_query_at <= ? ORDER BY seq', at).toArray();
  }

  nextQueryAt(): number | null {
    return this.sql.exec<{ at: number | null }>('SELECT MIN(next_query_at) AS at FROM attempts').one().at;
  }

  // ---- changes -------------------------------------------------------------------------

  open(attempt: NewAttempt): void {
    this.sql.exec(
      `INSERT INTO attempts (id, channel, method, status, amount, currency, created_at, updated_at, origin)
       VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
      attempt.id,
      attempt.channel,
      attempt.method,
      attempt.amount,
      attempt.currency,
      attempt.at,
      attempt.at,
      attempt.origin,
    );
  }

  /** Keeps what the channel's answer to the start says about the trade: its reference and the payer's instrument. */
  recordStart(id: string, started: Pick<StartResult, 'channelRef' | 'instrument'>): void {
    this.sql.exec(
      'UPDATE attempts SET channel_ref = ?, instrument = ? WHERE id = ?',
      started.channelRef || null,
      started.instrument ? JSON.stringify(started.instrument) : null,
      id,
    );
  }

  /**
   * Moves the attempt to what its channel reported; false for a repeated or stale outcome, which
   * changes nothing. Until the channel gives a final answer, reconciliation keeps asking it,
   * first at `queryFrom` unless a question is already scheduled.
   */
  recordOutcome(attempt: AttemptRow, outcome: ChannelOutcome, at: number, queryFrom: number): boolean {
    if (attempt.status === outcome.status || !canTransitionAttempt(attempt.status, outcome.status)) return false;
    const waiting = outcome.status === 'requires_action' || outcome.status === 'processing';
    return (
      this.sql.exec(
        `UPDATE attempts SET status = ?, next_action = ?, failure = ?, amount_captured = ?, updated_at = ?,
           next_query_at = CASE WHEN ? THEN COALESCE(next_query_at, ?) ELSE NULL END WHERE id = ? AND status = ?`,
        outcome.status,
        outcome.status === 'requires_action' ? JSON.stringify(outcome.nextAction) : null,
        outcome.status === 'failed' ? JSON.stringify(outcome.failure) : null,
        outcome.status === 'succeeded' ? capturedBy(attempt, outcome.amount) : null,
        at,
        waiting ? 1 : 0,
        queryFrom,
        attempt.id,
        attempt.status,
      ).rowsWritten > 0
    );
  }

  /**
   * Cancels an attempt Till gives up on; its channel is then asked about it from `nextQueryAt`
   * (null: never, it did not reach the channel). False when the attempt moved on meanwhile.
   */
  cancel(attempt: AttemptRow, at: number, nextQueryAt: number | null): boolean {
    if (!canTransitionAttempt(attempt.status, 'canceled')) return false;
    return (
      this.sql.exec(
        "UPDATE attempts SET status = 'canceled', next_action = NULL, " +
          'updated_at = ?, next_query_at = ? WHERE id = ? AND status = ?',
        at,
        nextQueryAt,
        attempt.id,
        attempt.status,
      ).rowsWritten > 0
    );
  }

  /**
   * A routed card attempt moves on to the next processor (the last one was down or declined for a
   * reason another may not share); only while its start is still under way. False if it moved on.
   */
  switchProcessor(id: string, processor: string, at: number): boolean {
    return (
      this.sql.exec(
        "UPDATE attempts SET channel = ?, channel_ref = NULL, updated_at = ? WHERE id = ? AND status = 'pending'",
        processor,
        at,
        id,
      ).rowsWritten > 0
    );
  }

  /** Money taken on this attempt cannot pay the order: it goes back (an automatic refund). */
  flagForRefund(id: string): void {
    this.sql.exec('UPDATE attempts SET needs_refund = 1 WHERE id = ?', id);
  }

  /** Claims a due question: the next time moves on first (null: stop asking), so a concurrent run skips it. */
  claimQuery(attempt: AttemptRow, next: number | null): boolean {
    return (
      this.sql.exec(
        'UPDATE attempts SET queries = queries + 1, next_query_at = ? ' +
          'WHERE id = ? AND queries = ? AND next_query_at IS NOT NULL',
        next,
        attempt.id,
        attempt.queries,
      ).rowsWritten > 0
    );
  }

  /** Asks the channel about the attempt at `at`. */
  queryAt(id: string, at: number): void {
    this.sql.exec('UPDATE attempts SET next_query_at = ? WHERE id = ?', at, id);
  }

  /** The channel gave its final answer (`closed`: the trade is closed there): nothing more to ask. */
  stopQuerying(id: string, closed: boolean, at: number): void {
    this.sql.exec(
      'UPDATE attempts SET next_query_at = NULL, closed_at = CASE WHEN ? THEN ? ELSE closed_at END WHERE id = ?',
      closed ? 1 : 0,
      at,
      id,
    );
  }
}

/**
 * What a succeeded attempt took, as its channel says: part of the authorization after a partial
 * capture, even one learned only after Till gave the attempt up (a void while the capture's answer
 * was lost). A figure outside 1..amount (an answer Till cannot read) counts as the whole amount
 * rather than an invented one.
 */
function capturedBy(attempt: AttemptRow, said: number | undefined): number {
  const readable = said !== undefined && Number.isInteger(said) && said > 0 && said <= attempt.amount;
  return readable ? said : attempt.amount;
}

/** What a succeeded attempt took, and so what its refunds may give back at most. */
export const amountTaken = (attempt: AttemptRow): number => attempt.amount_captured ?? attempt.amount;
