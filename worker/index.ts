import { app } from './app.ts';
import type { Env } from './base/env.ts';

export { SandboxProcessor } from './channels/sandbox/processor.ts';
export { DemoShop } from './demo/demo-shop.ts';
export { IdempotencyStore } from './idempotency/idempotency-store.ts';
export { MerchantObject } from './merchants/merchant-object.ts';
export { OrderObject } from './orders/order-object.ts';

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
