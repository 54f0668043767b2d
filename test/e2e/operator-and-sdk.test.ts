/**
 * Node, over real HTTP against wrangler dev: the server SDK as a merchant's backend uses it, and
 * the operator's master-key re-encryption command.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import type { DevMerchant } from '../../scripts/dev-server.ts';
import { readDevVars } from '../../scripts/dev-vars.ts';
import { reencryptAll } from '../../scripts/master-key.ts';
import { Till, TillApiError } from '../../sdk/index.ts';

const url = inject('tillUrl');
const merchant = JSON.parse(readFileSync('.wrangler/e2e-state/merchant.json', 'utf8')) as DevMerchant;

describe('server SDK over HTTP', () => {
  it('creates, retrieves, lists and cancels an order, and reports API errors as TillApiError', async () => {
    const till = new Till({ secretKey: merchant.secret_key, baseUrl: url });
    const order = await till.orders.create({
      amount: 4200,
      currency: 'JPY',
      description: 'SDK over HTTP',
      metadata: { source: 'e2e' },
    });
    expect(order.status).toBe('open');
    expect((await till.orders.retrieve(order.id)).id).toBe(order.id);
    const listed = await till.orders.list({ metadata: { source: 'e2e' }, limit: 5 });
    expect(listed.data.map((item) => item.id)).toContain(order.id);
    expect((await till.orders.cancel(order.id)).status).toBe('canceled');
    const refused = await till.orders
      .create({ amount: 1.5, currency: 'USD', description: 'float' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TillApiError);
    expect((refused as TillApiError).code).toBe('invalid_parameter');
  });
});

describe('master key re-encryption command', () => {
  it('walks every merchant through the admin API', async () => {
    const adminKey = readDevVars().TILL_ADMIN_KEY ?? '';
    const lines: string[] = [];
    const result = await reencryptAll(url, adminKey, (line) => lines.push(line));
    expect(result.merchants).toBeGreaterThanOrEqual(1);
    // Everything was sealed under the current key already.
    expect(result.resealed).toBe(0);
    expect(lines.some((line) => line.startsWith(merchant.merchant_id))).toBe(true);
  });
});
