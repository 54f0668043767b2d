/**
 * One Durable Object per (scope, Idempotency-Key): the record of the first request made with the
 * key and, once it finished, its answer. Being one object per key, it serializes requests that
 * share a key without any shared hot spot, and forgets the key once its retention has passed.
 *
 * Answers can carry secrets (a new API key is shown once), so they are kept sealed with the vault.
 */
import { DurableObject } from 'cloudflare:workers';
import { nowMs as clockMs } from '../base/clock.ts';
import type { Env } from '../base/env.ts';
import { migrate } from '../base/sql-migrations.ts';
import { Vault, VaultError } from '../base/vault.ts';

/** Records live at least this long after their answer (the API promises 24 h). */
export const RETENTION_SECONDS = 25 * 3600;
/** A request still running after this long died with its worker: a retry may take its place. */
export const LEASE_SECONDS = 60;

export interface StoredResponse {
  status: number;
  body: string;
  /** The few headers a replay must repeat (content-type, cache-control). */
  headers: Record<string, string>;
}

export type BeginOutcome =
  | { state: 'started'; token: string }
  | { state: 'replay'; response: StoredResponse }
  | { state: 'mismatch' }
  | { state: 'in_progress' }
  /** It finished, but its answer no longer opens (the master key it was sealed under is gone). */
  | { state: 'unreadable' };

interface RecordRow extends Record<string, SqlStorageValue> {
  fingerprint: string;
  token: string;
  started_at: number;
  status: number | null;
  /** The stored answer (status excluded), sealed: JSON of { body, headers }. */
  sealed_answer: string | null;
  completed_at: number | null;
}

const MIGRATIONS = [
  `CREATE TABLE record (
     fingerprint TEXT NOT NULL, token TEXT NOT NULL, started_at INTEGER NOT NULL,
     status INTEGER, sealed_answer TEXT, completed_at INTEGER)`,
];

export class IdempotencyStore extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private vaultPromise: Promise<Vault> | undefined;
  /** Bound to this object, so an answer copied into another key's object does not open. */
  private readonly sealContext: string;
  /** The schema is made on first use and dropped with everything else once the key is forgotten. */
  private schemaReady = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sealContext = `idempotency:${ctx.id.toString()}`;
  }

  private ensureSchema(): void {
    if (this.schemaReady) return;
    migrate(this.ctx.storage, MIGRATIONS);
    this.schemaReady = true;
  }

  private vault(): Promise<Vault> {
    this.vaultPromise ??= Vault.fromEnv(this.env);
    return this.vaultPromise;
  }

  private record(): RecordRow | undefined {
    this.ensureSchema();
    return this.sql.exec<RecordRow>('SELECT * FROM record').toArray()[0];
  }

  /**
   * Claims the key for a request, or says what became of the request that claimed it first.
   * `fingerprints` are the request's keyed digests under each configured master key, the current
   * key's first (the one kept); a record made under a key since retired matches through its own.
   */
  async begin(fingerprints: readonly string[], nowMs = clockMs()): Promise<BeginOutcome> {
    const [fingerprint] = fingerprints;
    if (fingerprint === undefined) throw new TypeError('begin needs at least one fingerprint');
    const token = crypto.randomUUID();
    this.ensureSchema();
    const outcome = this.ctx.storage.transactionSync(
      (): BeginOutcome | { state: 'sealed'; status: number; sealed: string } => {
        const record = this.record();
        if (record && !fingerprints.includes(record.fingerprint)) return { state: 'mismatch' };
        if (record && record.status !== null)
          return { state: 'sealed', status: record.status, sealed: record.sealed_answer ?? '' };
        if (record && record.started_at + LEASE_SECONDS * 1000 > nowMs) return { state: 'in_progress' };
        this.sql.exec('DELETE FROM record');
        this.sql.exec(
          'INSERT INTO record (fingerprint, token, started_at) VALUES (?, ?, ?)',
          fingerprint,
          token,
          nowMs,
        );
        return { state: 'started', token };
      },
    );
    if (outcome.state === 'sealed') {
      try {
        const answer = JSON.parse(await (await this.vault()).open(outcome.sealed, this.sealContext)) as Omit<
          StoredResponse,
          'status'
        >;
        return { state: 'replay', response: { status: outcome.status, ...answer } };
      } catch (error) {
        if (!(error instanceof VaultError)) throw error;
        return { state: 'unreadable' };
      }
    }
    // Until answered, an unfinished claim is looked at again once its lease is over.
    if (outcome.state === 'started') await this.ctx.storage.setAlarm(nowMs + (LEASE_SECONDS + 1) * 1000);
    return outcome;
  }

  /** Stores the answer of the request holding `token`; a request whose lease was taken stores nothing. */
  async complete(token: string, response: StoredResponse, nowMs = clockMs()): Promise<void> {
    const sealed = await (await this.vault()).seal(
      JSON.stringify({ body: response.body, headers: response.headers }),
      this.sealContext,
    );
    this.ensureSchema();
    const stored = this.sql
      .exec(
        'UPDATE record SET status = ?, sealed_answer = ?, completed_at = ? ' +
          'WHERE token = ? AND status IS NULL RETURNING 1',
        response.status,
        sealed,
        nowMs,
        token,
      )
      .toArray().length;
    if (stored > 0) await this.ctx.storage.setAlarm(nowMs + RETENTION_SECONDS * 1000);
  }

  /** The request failed in a way worth retrying (5xx, 429): the next request with the key runs again. */
  async release(token: string): Promise<void> {
    this.ensureSchema();
    this.sql.exec('DELETE FROM record WHERE token = ? AND status IS NULL', token);
  }

  /** Forgets an answer past its retention, or an abandoned claim; anything else keeps its time. */
  override async alarm(): Promise<void> {
    const nowMs = clockMs();
    this.ensureSchema();
    this.sql.exec(
      'DELETE FROM record WHERE (completed_at IS NOT NULL AND completed_at + ? <= ?) ' +
        'OR (completed_at IS NULL AND started_at + ? <= ?)',
      RETENTION_SECONDS * 1000,
      nowMs,
      LEASE_SECONDS * 1000,
      nowMs,
    );
    const left = this.record();
    if (left) {
      const due =
        left.completed_at !== null
          ? left.completed_at + RETENTION_SECONDS * 1000
          : left.started_at + (LEASE_SECONDS + 1) * 1000;
      await this.ctx.storage.setAlarm(due);
      return;
    }
    // Nothing left to remember: free the object's storage entirely (schema and alarm included).
    await this.ctx.storage.deleteAll();
    this.schemaReady = false;
  }
}
