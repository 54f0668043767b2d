import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sandbox } from '../../worker/channels/sandbox/index.ts';
import type { ChannelContext } from '../../worker/channels/types.ts';
import { card, createMerchant, newOrder, ORIGIN, pay, sandboxStub } from './helpers.ts';

const merchant = await createMerchant();
const ctx: ChannelContext<never> = {
  env,
  origin: ORIGIN,
  mode: 'test',
  credentials: null,
  notifyUrl: `${ORIGIN}/v1/channels/sandbox/notify/unused`,
};
const trade = (attemptId: string) => ({ attemptId, channelRef: attemptId, amount: 2900, currency: 'USD' as const });

describe('sandbox channel adapter', () => {
  it('answers queries with the trade as the processor holds it; an open QR is no news yet', async () => {
    const order = await newOrder(merchant.secret_key);
    const started = await pay(order, { channel: 'sandbox', method: 'qr' });
    const attemptId = started.body.attempt!.id;
    expect(await sandbox.query(ctx, trade(attemptId))).toBeNull();
    await sandboxStub(attemptId).complete('succeed');
    expect(await sandbox.query(ctx, trade(attemptId))).toEqual({ status: 'succeeded', amount: 2900 });
    await expect(sandbox.query(ctx, trade('att_NOSUCHTRADENOSUCHTR'))).rejects.toThrow('sandbox has no such trade');
  });

  it('refunds partially and fully, never beyond what was paid, and once per refund id', async () => {
    const order = await newOrder(merchant.secret_key);
    const paid = await pay(order, card('4242424242424242'));
    const attemptId = paid.body.attempt!.id;
    expect(await sandbox.refund(ctx, trade(attemptId), 1000, 're_1')).toEqual({
      status: 'succeeded',
      channelRef: 'sbx_re_re_1',
    });
    expect(await sandbox.refund(ctx, trade(attemptId), 1000, 're_1')).toEqual({
      status: 'succeeded',
      channelRef: 'sbx_re_re_1',
    });
    expect(await sandbox.refund(ctx, trade(attemptId), 1901, 're_2')).toEqual({
      status: 'failed',
      channelRef: 'sbx_re_re_2',
    });
    expect(await sandbox.refund(ctx, trade(attemptId), 1900, 're_3')).toEqual({
      status: 'succeeded',
      channelRef: 'sbx_re_re_3',
    });
    expect((await sandboxStub(attemptId).getTrade())?.refunded).toBe(2900);
  });

  it('closes an unpaid trade, after which the wallet can no longer pay it', async () => {
    const order = await newOrder(merchant.secret_key);
    const started = await pay(order, { channel: 'sandbox', method: 'qr' });
    const attemptId = started.body.attempt!.id;
    await sandbox.cancel(ctx, trade(attemptId));
    expect((await sandboxStub(attemptId).complete('succeed'))?.status).toBe('canceled');
    await runDurableObjectAlarm(sandboxStub(attemptId));
    expect(await sandbox.query(ctx, trade(attemptId))).toEqual({ status: 'canceled' });
  });

  it('authorizes with manual capture and captures once, all or part, never more than authorized', async () => {
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual' });
    const authorized = await pay(order, card('4242424242424242'));
    const attemptId = authorized.body.attempt!.id;
    expect(await sandbox.query(ctx, trade(attemptId))).toEqual({ status: 'authorized' });
    expect(await sandbox.capture(ctx, trade(attemptId), 2901)).toMatchObject({ status: 'failed' });
    expect(await sandbox.capture(ctx, trade(attemptId), 2000)).toEqual({ status: 'succeeded', amount: 2000 });
    // The same capture again answers what it took; another amount finds nothing left to capture.
    expect(await sandbox.capture(ctx, trade(attemptId), 2000)).toEqual({ status: 'succeeded', amount: 2000 });
    expect(await sandbox.capture(ctx, trade(attemptId), 2900)).toMatchObject({ status: 'failed' });
    expect(await sandbox.query(ctx, trade(attemptId))).toEqual({ status: 'succeeded', amount: 2000 });
    expect(await sandbox.refund(ctx, trade(attemptId), 2001, 're_more')).toMatchObject({ status: 'failed' });
  });

  it('offers its methods only in test mode, and only the card for manual capture', () => {
    const facts = { amount: 100, currency: 'USD' as const, capture_method: 'automatic' as const };
    expect(sandbox.methods({ ...facts, mode: 'test' }, 'desktop').map((method) => method.method)).toEqual([
      'card',
      'qr',
    ]);
    expect(
      sandbox.methods({ ...facts, mode: 'test', capture_method: 'manual' }, 'desktop').map((method) => method.method),
    ).toEqual(['card']);
    expect(sandbox.methods({ ...facts, mode: 'live' }, 'desktop')).toEqual([]);
  });
});
