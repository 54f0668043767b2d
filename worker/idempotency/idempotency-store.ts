/**
 * One Durable Object per (scope, Idempotency-Key): the record of the first request made with the
 * key and, once it finished, its answer. Being one object per key, it serializes requests that
 * share a key without any shared hot spot, and forgets itself after its retention period.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';

/** Records live at least this long (the API promises 24 h). */
export const RETENTION_SECONDS = 25 * 3600;
/** A request still running after this long died with its worker: a retry may take its place. */
export const LEASE_SECONDS = 60;

export interface StoredResponse {
  status: number;
  body: string;
  contentType: string;
}

export type BeginOutcome =
  | { state: 'started'; token: string }
  | { state: 'replay'; response: StoredResponse }
  | { state: 'mismatch' }
  | { state: 'in_progress' };

interface RecordRow extends Record<string, SqlStorageValue> {
  fingerprint: string;
  token: string;
  started_at: number;
  status: number | null;
  body: string | null;
  content_type: string | null;
}

export class IdempotencyStore extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS record (
      fingerprint TEXT NOT NULL, token TEXT NOT NULL, started_at INTEGER NOT NULL,
      status INTEGER, body TEXT, content_type TEXT)`);
  }

  private record(): RecordRow | undefined {
    return this.sql.exec<RecordRow>('SELECT * FROM record').toArray()[0];
  }

  /** Claims the key for a request, or says what became of the request that claimed it first. */
  async begin(fingerprint: string, nowMs = Date.now()): Promise<BeginOutcome> {
    const token = crypto.randomUUID();
    const outcome = this.ctx.storage.transactionSync((): BeginOutcome => {
      const record = this.record();
      if (record && record.fingerprint !== fingerprint) return { state: 'mismatch' };
      if (record && record.status !== null) {
        return { state: 'replay', response: { status: record.status, body: record.body ?? '', contentType: record.content_type ?? '' } };
      }
      if (record && record.started_at + LEASE_SECONDS * 1000 > nowMs) return { state: 'in_progress' };
      this.sql.exec('DELETE FROM record');
      this.sql.exec('INSERT INTO record (fingerprint, token, started_at) VALUES (?, ?, ?)', fingerprint, token, nowMs);
      return { state: 'started', token };
    });
    if (outcome.state === 'started' && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(nowMs + RETENTION_SECONDS * 1000);
    }
    return outcome;
  }

  /** Stores the answer of the request holding `token`; a request whose lease was taken stores nothing. */
  async complete(token: string, response: StoredResponse): Promise<void> {
    this.sql.exec(
      'UPDATE record SET status = ?, body = ?, content_type = ? WHERE token = ? AND status IS NULL',
      response.status,
      response.body,
      response.contentType,
      token,
    );
  }

  /** The request failed in a way worth retrying (5xx, 429): the next request with the key runs again. */
  async release(token: string): Promise<void> {
    this.sql.exec('DELETE FROM record WHERE token = ? AND status IS NULL', token);
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
