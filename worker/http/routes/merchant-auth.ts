/** The middleware instances merchant routes share: who may read, who may write, idempotency. */
import { type MerchantEnv, merchantAuth } from '../auth.ts';
import { idempotency } from '../idempotency.ts';

/** Secret and restricted (read-only) keys. */
export const readers = merchantAuth({ roles: ['secret', 'restricted'] });
/** Secret keys only. */
export const writers = merchantAuth({ roles: ['secret'] });
/** A merchant's keys are compared only with its own, per mode. */
export const merchantIdempotency = idempotency<MerchantEnv>({
  scope: (c) => `merchant:${c.get('merchant').id}:${c.get('merchant').mode}`,
});
