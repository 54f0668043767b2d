import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../shared/encoding.ts';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { ApiKey, CheckoutSummary, CreatedApiKey, List, MerchantWithKeys, Order } from '../../shared/schemas.ts';
import { advanceClock, resetClock } from '../../worker/base/clock.ts';
import { vaultOf } from '../../worker/base/vault.ts';
import type { IdempotencyStore } from '../../worker/idempotency/idempotency-store.ts';
import { call, card, createMerchant, createOrder, newOrder } from './helpers.ts';

afterEach(() => resetClock());

const key = () => `idem-${crypto.randomUUID()}`;

describe('Idempotency-Key', () => {
  it('replays the first answer for the same key and body, and refuses another body', async () => {
    const merchant = await createMerchant();
    const k = key();
    const first = await createOrder(merchant.secret_key, {}, k);
    const again = await createOrder(merchant.secret_key, {}, k);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.body).toEqual(first.body);
    const other = await createOrder(merchant.secret_key, { amount: 1 }, k);
    expect(other.status).toBe(409);
    expect((other.body as ErrorEnvelope).error.code).toBe('idempotency_key_reused');
  });

  it('replays refusals too, so a retry never changes its answer', async () => {
    const merchant = await createMerchant();
    const order = await newOrder(merchant.secret_key);
    const k = key();
    const pay = await call(`/v1/orders/${order.id}/cancel`, {
      key: merchant.secret_key,
      method: 'POST',
      headers: { 'idempotency-key': k },
    });
    expect(pay.status).toBe(200);
    const replay = await call<Order>(`/v1/orders/${order.id}/cancel`, {
      key: merchant.secret_key,
      method: 'POST',
      headers: { 'idempotency-key': k },
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.status).toBe('canceled');
    const invalid = await createOrder(merchant.secret_key, { amount: 1.5 }, `${k}x`);
    const invalidAgain = await createOrder(merchant.secret_key, { amount: 1.5 }, `${k}x`);
    expect(invalid.status).toBe(400);
    expect(invalidAgain.headers.get('idempotent-replayed')).toBe('true');
  });

  it('scopes keys to their merchant', async () => {
    const [a, b] = await Promise.all([createMerchant(), createMerchant()]);
    const k = key();
    const first = await createOrder(a.secret_key, {}, k);
    const second = await createOrder(b.secret_key, { amount: 7 }, k);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
  });

  it('never runs two requests with one key at once: one runs, the others replay it or get 409 in use', async () => {
    const merchant = await createMerchant();
    const k = key();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        call<CreatedApiKey & ErrorEnvelope>('/v1/keys', {
          key: merchant.secret_key,
          body: { kind: 'restricted' },
          headers: { 'idempotency-key': k },
        }),
      ),
    );
    const created = responses.filter((response) => response.status === 201);
    const inUse = responses.filter((response) => response.status === 409);
    expect(created.length + inUse.length).toBe(8);
    expect(inUse.every((response) => response.body.error.code === 'idempotency_key_in_use')).toBe(true);
    expect(new Set(created.map((response) => response.body.secret)).size).toBe(1);
    const keys = await call<List<ApiKey>>('/v1/keys', { key: merchant.secret_key });
    expect(keys.body.data.filter((apiKey) => apiKey.kind === 'restricted')).toHaveLength(1);
  });

  it('makes a shopper double-click on Pay one attempt', async () => {
    const merchant = await createMerchant();
    const order = await newOrder(merchant.secret_key);
    const k = key();
    const pay = () =>
      call<CheckoutSummary>(`/v1/checkout/${order.id}/attempts`, {
        key: order.client_token,
        body: card('4242424242424242'),
        headers: { 'idempotency-key': k },
      });
    const first = await pay();
    const second = await pay();
    expect(first.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('cache-control')).toBe('no-store');
    const full = await call<Order>(`/v1/orders/${order.id}`, { key: merchant.secret_key });
    expect(full.body.attempts).toHaveLength(1);
  });

  it('keeps no guessable hash of a card in a body, and matches a record kept under a retired master key', async () => {
    const merchant = await createMerchant();
    const order = await newOrder(merchant.secret_key);
    const k = key();
    const attempt = card('4242424242424242');
    const pay = () =>
      call<CheckoutSummary>(`/v1/checkout/${order.id}/attempts`, {
        key: order.client_token,
        body: attempt,
        headers: { 'idempotency-key': k },
      });
    expect((await pay()).status).toBe(201);
    const store = env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(await sha256Hex(`checkout:${order.id}\n${k}`)));
    const fingerprint = () =>
      runInDurableObject(store, (_instance: IdempotencyStore, state) =>
        String(state.storage.sql.exec('SELECT fingerprint FROM record').one().fingerprint),
      );
    const request = `POST /v1/checkout/${order.id}/attempts\n${JSON.stringify(attempt)}`;
    const [current, previous] = await (await vaultOf(env)).digests('idempotency fingerprint', request);
    // Keyed by the current master key: nobody holding only the record can test a guessed number against it.
    expect(await fingerprint()).toBe(current);
    expect(await fingerprint()).not.toBe(await sha256Hex(request));
    expect(current?.startsWith(`${env.TILL_MASTER_KEY.split(':')[0]}.`)).toBe(true);

    // As if kept before the master key rotated: the retired key (still configured) recognises it.
    const rekey = (to: string) =>
      runInDurableObject(store, (_instance: IdempotencyStore, state) => {
        state.storage.sql.exec('UPDATE record SET fingerprint = ?', to);
      });
    await rekey(previous ?? '');
    expect((await pay()).headers.get('idempotent-replayed')).toBe('true');
    // A fingerprint under a key no longer configured is another request's.
    await rekey(`gone.${'0'.repeat(64)}`);
    expect((await pay()).status).toBe(409);
  });

  it('refuses a malformed key', async () => {
    const merchant = await createMerchant();
    const bad = await createOrder(merchant.secret_key, {}, 'spaces are not allowed');
    expect(bad.status).toBe(400);
    expect((bad.body as ErrorEnvelope).error.param).toBe('Idempotency-Key');
  });

  it('keeps answers sealed (a new key is a secret) and forgets them only after their retention', async () => {
    const merchant = await createMerchant();
    const k = key();
    const created = await call<CreatedApiKey>('/v1/keys', {
      key: merchant.secret_key,
      body: { kind: 'restricted' },
      headers: { 'idempotency-key': k },
    });
    expect(created.status).toBe(201);
    const store = env.IDEMPOTENCY.get(
      env.IDEMPOTENCY.idFromName(await sha256Hex(`merchant:${merchant.id}:test\n${k}`)),
    );
    const stored = await runInDurableObject(store, (_instance: IdempotencyStore, state) =>
      JSON.stringify(state.storage.sql.exec('SELECT * FROM record').toArray()),
    );
    expect(stored).toContain('tv1.');
    expect(stored).not.toContain(created.body.secret);

    // An alarm before the retention is over forgets nothing.
    await runDurableObjectAlarm(store);
    const replay = await call<CreatedApiKey>('/v1/keys', {
      key: merchant.secret_key,
      body: { kind: 'restricted' },
      headers: { 'idempotency-key': k },
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.secret).toBe(created.body.secret);

    // 25 hours later the key is free again, and the object still works.
    advanceClock(25 * 3600 + 1);
    expect(await runDurableObjectAlarm(store)).toBe(true);
    // Forgotten entirely: nothing of the key is left in storage.
    const left = await runInDurableObject(
      store,
      (_instance: IdempotencyStore, state) =>
        state.storage.sql
          .exec("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\'")
          .one().n,
    );
    expect(left).toBe(0);
    const fresh = await call<CreatedApiKey>('/v1/keys', {
      key: merchant.secret_key,
      body: { kind: 'restricted' },
      headers: { 'idempotency-key': k },
    });
    expect(fresh.status).toBe(201);
    expect(fresh.headers.get('idempotent-replayed')).toBeNull();
    expect(fresh.body.secret).not.toBe(created.body.secret);
  });

  it('lets a retry take over a claim whose request died, and ignores the dead request’s late answer', async () => {
    const store = env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(`test-${crypto.randomUUID()}`));
    const t0 = Date.now();
    const first = await store.begin(['fp'], t0);
    expect(first.state).toBe('started');
    expect((await store.begin(['fp'], t0 + 1000)).state).toBe('in_progress');
    const second = await store.begin(['fp'], t0 + 61_000);
    expect(second.state).toBe('started');
    if (first.state !== 'started' || second.state !== 'started') return;
    await store.complete(first.token, { status: 201, body: 'late', headers: {} });
    await store.complete(second.token, { status: 201, body: 'winner', headers: { 'content-type': 'text/plain' } });
    expect(await store.begin(['fp'], t0 + 62_000)).toEqual({
      state: 'replay',
      response: { status: 201, body: 'winner', headers: { 'content-type': 'text/plain' } },
    });
  });

  it('cannot create a second merchant when a retry takes over a claim whose request died', async () => {
    const k = key();
    const body = { name: 'Retry shop' };
    const first = await call<MerchantWithKeys>('/v1/admin/merchants', {
      key: env.TILL_ADMIN_KEY,
      body,
      headers: { 'idempotency-key': k },
    });
    expect(first.status).toBe(201);
    // As if the first request had died before its answer was stored: a state no passing of time
    // makes (the request did answer), so it is written here.
    const store = env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(await sha256Hex(`admin\n${k}`)));
    await runInDurableObject(store, (_instance: IdempotencyStore, state) => {
      state.storage.sql.exec(
        'UPDATE record SET status = NULL, sealed_answer = NULL, completed_at = NULL, started_at = 0',
      );
    });
    const retry = await call<ErrorEnvelope>('/v1/admin/merchants', {
      key: env.TILL_ADMIN_KEY,
      body,
      headers: { 'idempotency-key': k },
    });
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe('merchant_already_created');
    expect(retry.body.error.message).toContain(first.body.id);
  });

  it('says so, without running the request again, when a stored answer no longer opens', async () => {
    const merchant = await createMerchant();
    const k = key();
    const created = await call<CreatedApiKey>('/v1/keys', {
      key: merchant.secret_key,
      body: { kind: 'restricted' },
      headers: { 'idempotency-key': k },
    });
    expect(created.status).toBe(201);
    const store = env.IDEMPOTENCY.get(
      env.IDEMPOTENCY.idFromName(await sha256Hex(`merchant:${merchant.id}:test\n${k}`)),
    );
    // As if it had been sealed under a master key since retired.
    await runInDurableObject(store, (_instance: IdempotencyStore, state) => {
      state.storage.sql.exec("UPDATE record SET sealed_answer = 'tv1.gone.AAAAAAAAAAAAAAAA.AAAA'");
    });
    const again = await call<ErrorEnvelope>('/v1/keys', {
      key: merchant.secret_key,
      body: { kind: 'restricted' },
      headers: { 'idempotency-key': k },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('idempotency_answer_unavailable');
    const keys = await call<List<ApiKey>>('/v1/keys', { key: merchant.secret_key });
    expect(keys.body.data.filter((apiKey) => apiKey.kind === 'restricted')).toHaveLength(1);
  });
});
