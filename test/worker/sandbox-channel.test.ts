import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sandbox } from '../../worker/channels/sandbox/index.ts';
import type { ChannelContext } from '../../worker/channels/types.ts';
import { card, createMerchant, newOrder, ORIGIN, pay, sandboxStub } from './helpers.ts';

const merchant = await createMerchant();
const ctx: ChannelContext = { env, origin: ORIGIN };

describe('sandbox channel adapter', () => {
  it('answers queries with the trade as the processor holds it', async () => {
    const order = await newOrder(merchant.secret_key);
    const started = await pay(order, { channel: 'sandbox', method: 'qr' });
    const attemptId = started.body.attempt!.id;
    expect(await sandbox.query(ctx, attemptId)).toEqual({ status: 'processing' });
    await sandboxStub(attemptId).complete('succeed');
    expect(await sandbox.query(ctx, attemptId)).toEqual({ status: 'succeeded' });
    await expect(sandbox.query(ctx, 'att_NOSUCHTRADENOSUCHTR')).rejects.toThrow('sandbox has no such trade');
  });

  it('refunds partially and fully, never beyond what was paid', async () => {
    const order = await newOrder(merchant.secret_key);
    const paid = await pay(order, card('4242424242424242'));
    const attemptId = paid.body.attempt!.id;
    expect(await sandbox.refund(ctx, attemptId, 1000, 'ref_1')).toEqual({ status: 'succeeded', channelRef: 'ref_1' });
    expect(await sandbox.refund(ctx, attemptId, 1901, 'ref_2')).toEqual({ status: 'failed', channelRef: 'ref_2' });
    expect(await sandbox.refund(ctx, attemptId, 1900, 'ref_3')).toEqual({ status: 'succeeded', channelRef: 'ref_3' });
    expect((await sandboxStub(attemptId).getTrade())?.refunded).toBe(2900);
  });

  it('closes an unpaid trade, after which the wallet can no longer pay it', async () => {
    const order = await newOrder(merchant.secret_key);
    const started = await pay(order, { channel: 'sandbox', method: 'qr' });
    const attemptId = started.body.attempt!.id;
    await sandbox.cancel(ctx, attemptId);
    expect((await sandboxStub(attemptId).complete('succeed'))?.status).toBe('canceled');
    await runDurableObjectAlarm(sandboxStub(attemptId));
    expect(await sandbox.query(ctx, attemptId)).toEqual({ status: 'canceled' });
  });

  it('offers its methods only in test mode', () => {
    const facts = { amount: 100, currency: 'USD' as const };
    expect(sandbox.methods({ ...facts, mode: 'test' }, 'desktop').map((method) => method.method)).toEqual(['card', 'qr']);
    expect(sandbox.methods({ ...facts, mode: 'live' }, 'desktop')).toEqual([]);
  });
});
