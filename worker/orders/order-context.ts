/** What the order object lends the modules that decide for it: its storage, ledger, logs and transactions. */
import { TillError } from '../../shared/errors.ts';
import type { Mode } from '../../shared/schemas.ts';
import type { Env } from '../base/env.ts';
import type { ChannelScope } from './channel-scope.ts';
import type { NotificationLog } from './notification-log.ts';
import type { OrderLedger } from './order-ledger.ts';
import type { OrderRow } from './order-store.ts';

export interface OrderContext {
  readonly env: Env;
  readonly sql: SqlStorage;
  readonly ledger: OrderLedger;
  /** What the order heard from its channels (notification-log.ts). */
  readonly notifications: NotificationLog;
  /** One synchronous storage transaction; the ledger's per-transaction bookkeeping starts fresh. */
  transaction<T>(work: () => T): T;
}

/** The order's facts its channel calls need (orders/channel-scope.ts). */
export function channelScope(o: Pick<OrderContext, 'env' | 'ledger'>): ChannelScope {
  const row = o.ledger.order();
  return { env: o.env, orderId: row.id, merchantId: row.merchant_id, mode: row.mode };
}

/** Who asks about an order: its merchant, in the mode of the key used. */
export interface OrderOwner {
  id: string;
  mode: Mode;
}

/** The order, if it is this owner's; another merchant's order is indistinguishable from a missing one. */
export function ownedBy(row: OrderRow, owner: OrderOwner): OrderRow {
  if (row.merchant_id !== owner.id) throw new TillError('order_not_found', 'No such order');
  if (row.mode !== owner.mode) {
    throw new TillError(
      'order_not_found',
      `No such order in ${owner.mode} mode: it exists in ${row.mode} mode, use a ${row.mode} key`,
    );
  }
  return row;
}
