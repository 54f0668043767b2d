/** What the order object lends the modules that decide for it: its storage, ledger and transactions. */
import type { Env } from '../env.ts';
import type { OrderLedger } from './order-ledger.ts';

export interface OrderContext {
  readonly env: Env;
  readonly sql: SqlStorage;
  readonly ledger: OrderLedger;
  /** One synchronous storage transaction; the ledger's per-transaction bookkeeping starts fresh. */
  transaction<T>(work: () => T): T;
}
