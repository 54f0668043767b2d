/**
 * The `processor_tries` table and the only code that writes it: each processor a routed card
 * attempt went to, in order, for the merchant's view of the attempt (failover shows as several).
 * Synchronous: callers compose these inside the order object's transactions.
 */
import type { ProcessorTry } from '../../shared/schemas.ts';

interface TryRow extends Record<string, SqlStorageValue> {
  attempt_id: string;
  processor: string;
  started_at: number;
  ended_at: number;
  result: string;
  failure_code: string | null;
  channel_ref: string | null;
  left_nothing: number;
}

export interface NewTry {
  attemptId: string;
  processor: string;
  startedAt: number;
  endedAt: number;
  result: ProcessorTry['result'];
  failureCode: string | null;
  channelRef: string | null;
  /** Canceled or proven absent at the processor before the next try began. */
  leftNothing: boolean;
}

export class ProcessorTries {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  /** Every try, by attempt, oldest first. */
  byAttempt(): Map<string, ProcessorTry[]> {
    const tries = new Map<string, ProcessorTry[]>();
    for (const row of this.sql.exec<TryRow>('SELECT * FROM processor_tries ORDER BY seq')) {
      const list = tries.get(row.attempt_id) ?? [];
      list.push({
        processor: row.processor,
        result: row.result as ProcessorTry['result'],
        failure_code: row.failure_code,
        started_at: row.started_at,
        ended_at: row.ended_at,
        left_nothing: row.left_nothing === 1,
      });
      tries.set(row.attempt_id, list);
    }
    return tries;
  }

  record(entry: NewTry): void {
    this.sql.exec(
      `INSERT INTO processor_tries (attempt_id, processor, started_at, ended_at, result, failure_code, channel_ref,
         left_nothing) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      entry.attemptId,
      entry.processor,
      entry.startedAt,
      entry.endedAt,
      entry.result,
      entry.failureCode,
      entry.channelRef,
      entry.leftNothing ? 1 : 0,
    );
  }
}
