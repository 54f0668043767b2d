/** What the order object lends the modules that decide for it: its storage, ledger and transactions. */
import type { Env } from '../base/env.ts';
import type { ChannelScope } from './channel-scope.ts';
import type { OrderLedger } from './order-ledger.ts';

export interface OrderContext {
  readonly env: Env;
  readonly sql: SqlStorage;
  readonly ledger: OrderLedger;
  /** One synchronous storage transaction; the ledger's per-transaction bookkeeping starts fresh. */
  transaction<T>(work: () => T): T;
}

/** The order's facts its channel calls need (orders/channel-scope.ts). */
export function channelScope(o: Pick<OrderContext, 'env' | 'ledger'>): ChannelScope {
  const row = o.ledger.order();
  return { env: o.env, orderId: row.id, merchantId: row.merchant_id, mode: row.mode };
}
