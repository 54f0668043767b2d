/**
 * Every API route, one entry each, keyed by its operation id. The worker mounts its routes from
 * this table, the OpenAPI document is generated from it, and the SDK declares its methods from it.
 */
import type { ApiRoute } from './route.ts';
import { ADMIN_ORDER_ROUTES, ADMIN_ROUTES, META_ROUTES } from './routes/admin.ts';
import { CHANNEL_ROUTES, CHECKOUT_ROUTES } from './routes/checkout.ts';
import { EVENT_ROUTES, WEBHOOK_ENDPOINT_ROUTES } from './routes/events.ts';
import { MERCHANT_ROUTES } from './routes/merchant.ts';
import { ORDER_ROUTES } from './routes/orders.ts';

export const API_ROUTES = {
  ...ORDER_ROUTES,
  ...EVENT_ROUTES,
  ...WEBHOOK_ENDPOINT_ROUTES,
  ...MERCHANT_ROUTES,
  ...CHECKOUT_ROUTES,
  ...CHANNEL_ROUTES,
  ...ADMIN_ROUTES,
  ...ADMIN_ORDER_ROUTES,
  ...META_ROUTES,
};

export type ApiRoutes = typeof API_ROUTES;

/** An entry with the operation id it is keyed by, for code that walks the whole table. */
export type NamedRoute = ApiRoute & { operationId: string };

/** The table as a list, in declaration order. */
export const ROUTE_LIST: readonly NamedRoute[] = Object.entries(API_ROUTES).map(([operationId, route]) => ({
  operationId,
  ...(route as ApiRoute),
}));
