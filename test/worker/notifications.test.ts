import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { OrderObject } from '../../worker/orders/order-object.ts';
import {
  call,
  card,
  createMerchant,
  eventTypes,
  newOrder,
  orderStub,
  paidNote,
  pay,
  sandboxNotify,
  sandboxStub,
  summary,
} from './helpers.ts';

const merchant = await createMerchant();

const notify = sandboxNotify;

async function qrAttempt(orderId: string) {
  const order = await call<{ client_token: string; id: string }>(`/v1/orders/${orderId}`, { key: merchant.secret_key });
  const started = await pay(order.body as never, { channel: 'sandbox', method: 'qr' });
  return started.body.attempt!;
}

describe('channel notifications', () => {
  it('applies a duplicated notification once', async () => {
    const order = await newOrder(merchant.secret_key);
    const attempt = await qrAttempt(order.id);
    const note = paidNote(order.id, attempt.id);
    const answers = await Promise.all([
      notify(note),
      notify(note),
      notify({ ...note, event_id: `other-${attempt.id}` }),
    ]);
    expect(answers.map((answer) => [answer.status, answer.body])).toEqual([
      [200, 'ok'],
      [200, 'ok'],
      [200, 'ok'],
    ]);
    expect((await summary(order)).body.order.status).toBe('paid');
    expect((await eventTypes(merchant.secret_key, order.id)).filter((type) => type === 'order.paid')).toHaveLength(1);
  });

  it('refuses a notification with a bad signature and changes nothing', async () => {
    const order = await newOrder(merchant.secret_key);
    const attempt = await qrAttempt(order.id);
    const note = paidNote(order.id, attempt.id, 'forged');
    const forged = await notify(note, 'not-the-sandbox-secret-at-all');
    expect(forged.status).toBe(401);
    expect((await summary(order)).body.order.status).toBe('requires_action');
    // Signed, but for another amount: it can never apply, so the sandbox is told to stop (see
    // notification-faults.test.ts), and nothing changes.
    const tamperedAmount = await notify({ ...note, amount: 1 });
    expect([tamperedAmount.status, tamperedAmount.body]).toEqual([200, 'ok']);
    expect((await summary(order)).body.order.status).toBe('requires_action');
  });

  it('records money taken after the merchant canceled, flagged for refund, without reopening the order', async () => {
    const order = await newOrder(merchant.secret_key);
    const attempt = await qrAttempt(order.id);
    await call(`/v1/orders/${order.id}/cancel`, { key: merchant.secret_key, method: 'POST' });
    expect((await notify(paidNote(order.id, attempt.id))).status).toBe(200);
    const stored = await call<{ status: string; attempts: Array<{ status: string; needs_refund: boolean }> }>(
      `/v1/orders/${order.id}`,
      {
        key: merchant.secret_key,
      },
    );
    expect(stored.body.status).toBe('canceled');
    expect(stored.body.attempts).toMatchObject([{ status: 'succeeded', needs_refund: true }]);
  });

  it('closes at the channel an attempt whose order was paid by another one', async () => {
    const order = await newOrder(merchant.secret_key);
    const first = await qrAttempt(order.id);
    const second = await qrAttempt(order.id);
    await notify(paidNote(order.id, first.id));
    const stored = await call<{ status: string; attempts: Array<{ id: string; status: string }> }>(
      `/v1/orders/${order.id}`,
      {
        key: merchant.secret_key,
      },
    );
    expect(stored.body.status).toBe('paid');
    expect(stored.body.attempts.find((attempt) => attempt.id === second.id)?.status).toBe('canceled');
    expect((await sandboxStub(second.id).getTrade())?.status).toBe('canceled');
  });

  it('never lets two concurrent attempts both start', async () => {
    const order = await newOrder(merchant.secret_key);
    const answers = await Promise.all([pay(order, card('4242424242424242')), pay(order, card('4242424242424242'))]);
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses[0]).toBe(201);
    expect([201, 409]).toContain(statuses[1]);
    const attempts = await runInDurableObject(orderStub(order.id), (_instance: OrderObject, state) =>
      state.storage.sql.exec<{ status: string }>('SELECT status FROM attempts').toArray(),
    );
    expect(attempts.filter((attempt) => attempt.status === 'succeeded')).toHaveLength(1);
  });

  it('pays an order once when two attempts both report money taken, flagging the second for refund', async () => {
    const order = await newOrder(merchant.secret_key);
    const first = await qrAttempt(order.id);
    const second = await qrAttempt(order.id); // the shopper switched: the first is superseded
    await Promise.all([notify(paidNote(order.id, second.id)), notify(paidNote(order.id, first.id))]);
    const rows = await runInDurableObject(orderStub(order.id), (_instance: OrderObject, state) =>
      state.storage.sql
        .exec<{ id: string; status: string; needs_refund: number }>('SELECT id, status, needs_refund FROM attempts')
        .toArray(),
    );
    const stored = (
      await call<{ status: string; paid_attempt_id: string }>(`/v1/orders/${order.id}`, { key: merchant.secret_key })
    ).body;
    expect(stored.status).toBe('paid');
    expect(rows.filter((row) => row.status === 'succeeded')).toHaveLength(2);
    expect(rows.filter((row) => row.needs_refund === 1)).toHaveLength(1);
    expect(rows.find((row) => row.needs_refund === 0)?.id).toBe(stored.paid_attempt_id);
    expect(rows.some((row) => row.status === 'requires_action')).toBe(false);
    expect((await eventTypes(merchant.secret_key, order.id)).filter((type) => type === 'order.paid')).toHaveLength(1);
  });
});

describe('lost channel calls', () => {
  it('fails an attempt whose channel call never answered, so the shopper can pay again', async () => {
    const order = await newOrder(merchant.secret_key);
    // As if the object restarted while a channel call was in flight three minutes ago.
    await runInDurableObject(orderStub(order.id), (_instance: OrderObject, state) => {
      const at = Math.floor(Date.now() / 1000) - 180;
      state.storage.sql.exec(
        'INSERT INTO attempts (id, channel, method, status, amount, currency, created_at, updated_at) ' +
          "VALUES ('att_LOSTLOSTLOSTLOSTLOST', 'sandbox', 'card', 'pending', 2900, 'USD', ?, ?)",
        at,
        at,
      );
      state.storage.sql.exec("UPDATE orders SET status = 'processing'");
    });
    expect((await pay(order, card('4242424242424242'))).body.error.code).toBe('attempt_in_progress');
    await runDurableObjectAlarm(orderStub(order.id));
    const after = await summary(order);
    expect(after.body.order.status).toBe('open');
    expect(after.body.attempt).toMatchObject({ status: 'failed', failure: { code: 'channel_timeout' } });
    expect((await pay(order, card('4242424242424242'))).body.order.status).toBe('paid');
  });
});
