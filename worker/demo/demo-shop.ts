/**
 * The demo shop's own storage: the keys it was given (as a merchant keeps them in its server's
 * environment) and the webhook events it received. It is a merchant, not part of Till.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../base/env.ts';

export interface DemoConfig {
  merchant_id: string;
  publishable_key: string;
  secret_key: string;
  webhook_secret: string;
}

export interface ReceivedEvent {
  id: string;
  type: string;
  order_id: string;
  order_status: string;
  received_at: number;
  signature_verified: boolean;
}

export class DemoShop extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE, body TEXT NOT NULL);`);
  }

  configure(config: DemoConfig): void {
    this.sql.exec('INSERT OR REPLACE INTO config (id, body) VALUES (1, ?)', JSON.stringify(config));
  }

  config(): DemoConfig | null {
    const row = this.sql.exec<{ body: string }>('SELECT body FROM config').toArray()[0];
    return row ? (JSON.parse(row.body) as DemoConfig) : null;
  }

  /** Records an event once, however often it is delivered. */
  record(event: ReceivedEvent): void {
    this.sql.exec('INSERT OR IGNORE INTO events (id, body) VALUES (?, ?)', event.id, JSON.stringify(event));
  }

  events(orderId: string | null): ReceivedEvent[] {
    return this.sql
      .exec<{ body: string }>('SELECT body FROM events ORDER BY seq DESC LIMIT 200')
      .toArray()
      .map((row) => JSON.parse(row.body) as ReceivedEvent)
      .filter((event) => orderId === null || event.order_id === orderId);
  }
}
