/**
 * Versioned schema changes for a Durable Object's SQLite storage. Each object runs the steps it
 * has not run yet, in order, inside one transaction, so an object created by an older release
 * is brought up to date the first time the new code touches it.
 */
const VERSION_TABLE = 'CREATE TABLE IF NOT EXISTS _schema_version (version INTEGER NOT NULL)';

/** Step i (0-based) takes the schema from version i to version i + 1. Never edit a shipped step. */
export type Migration = string | ((sql: SqlStorage) => void);

export function migrate(storage: DurableObjectStorage, migrations: readonly Migration[]): void {
  const sql = storage.sql;
  storage.transactionSync(() => {
    sql.exec(VERSION_TABLE);
    const row = sql.exec<{ version: number }>('SELECT version FROM _schema_version').toArray()[0];
    const current = row?.version ?? 0;
    if (current > migrations.length) {
      throw new Error(`storage schema version ${current} is newer than this code (${migrations.length})`);
    }
    for (const step of migrations.slice(current)) {
      if (typeof step === 'string') sql.exec(step);
      else step(sql);
    }
    if (!row) sql.exec('INSERT INTO _schema_version (version) VALUES (?)', migrations.length);
    else if (current !== migrations.length) sql.exec('UPDATE _schema_version SET version = ?', migrations.length);
  });
}
