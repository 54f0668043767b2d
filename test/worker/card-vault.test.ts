/**
 * The card's path through the worker: vaulted at once (sealed number and expiry, keyed
 * fingerprint, brand, BIN, last 4 and expiry in clear), erased when its order has settled plus a
 * grace, and never written in clear anywhere: every Durable Object table, the D1 database, the
 * idempotency records and the worker's logs are scanned for the number and the security code.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../shared/encoding.ts';
import type { Order } from '../../shared/schemas.ts';
import { resetClock } from '../../worker/base/clock.ts';
import { openVaultedCard, type VaultedCard } from '../../worker/channels/card/vaulted-card.ts';
import { CARD_ERASE_GRACE_SECONDS } from '../../worker/orders/cards-table.ts';
import { alarmAfter, call, createMerchant, newOrder, ORIGIN, orderStub, sandboxStub } from './helpers.ts';

const merchantStub = (id: string) => env.MERCHANTS.get(env.MERCHANTS.idFromName(id));

const NUMBER = '4000002760003184';
const CVC = '739';

/** Everything the console was given while the test ran, as text. */
let logged: string[] = [];

beforeEach(() => {
  logged = [];
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  resetClock();
});

const attempt = (number: string, cvc = CVC) => ({
  channel: 'sandbox',
  method: 'card',
  card: { number, exp_month: 11, exp_year: 2031, cvc, name: 'Ada Lovelace' },
  return_url: `${ORIGIN}/v1/frame?order=x`,
});

/** Every row of every table of a Durable Object's SQLite storage, as JSON text. */
function dumpObject(stub: DurableObjectStub): Promise<string> {
  return runInDurableObject(stub, (_instance: unknown, state: DurableObjectState) => {
    const tables = state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\'",
      )
      .toArray();
    return JSON.stringify(
      tables.map(({ name }) => [name, state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray()]),
    );
  });
}

async function dumpD1(): Promise<string> {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' " +
      "AND name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'",
  ).all<{ name: string }>();
  const rows = await Promise.all(
    tables.results.map(async ({ name }) => [name, (await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results]),
  );
  return JSON.stringify(rows);
}

/** A stored value that is exactly the security code, or a field named after it (quoted: random text cannot match). */
const holdsCvc = (dump: string) => dump.includes(`"${CVC}"`) || /\\?"(cvc|cvv|security_code)\\?"/i.test(dump);

const cardsOf = (order: Order) =>
  runInDurableObject(orderStub(order.id), (_instance: unknown, state: DurableObjectState) =>
    state.storage.sql.exec('SELECT * FROM cards').toArray(),
  );

describe('the card vault', () => {
  it('keeps no card number or CVC in any table, record or log line, and erases the sealed card later', async () => {
    const merchant = await createMerchant();
    const order = await newOrder(merchant.secret_key);
    const key = `vault-${crypto.randomUUID()}`;
    // A 3-D Secure card, paid after the challenge: the card passes through every step.
    const started = await call<{ attempt: { id: string } }>(`/v1/checkout/${order.id}/attempts`, {
      key: order.client_token,
      body: attempt(`4000 0027 6000 3184`),
      headers: { 'idempotency-key': key },
    });
    expect(started.status).toBe(201);
    const attemptId = started.body.attempt.id;
    const challenge = await call(`/sandbox/challenge/${attemptId}`, {
      rawBody: 'action=succeed',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(challenge.status).toBe(303);
    // The sandbox processor notifies from its alarm, as a bank's answer comes later.
    await runDurableObjectAlarm(sandboxStub(attemptId));
    const paid = await call<Order>(`/v1/orders/${order.id}`, { key: merchant.secret_key });
    expect(paid.body.status).toBe('paid');

    const [row] = (await cardsOf(order)) as unknown as Array<Record<string, string | number | null>>;
    expect(row).toMatchObject({ attempt_id: attemptId, brand: 'visa', bin: '400000', last4: '3184' });
    expect(row?.exp_month).toBe(11);
    expect(String(row?.token)).toMatch(/^card_[0-9A-Za-z]{24}$/);
    expect(String(row?.fingerprint)).toMatch(/^fp_[0-9A-Za-z_-]{22}$/);
    expect(String(row?.sealed)).toMatch(/^tv1\./);

    // The sealed card opens for this merchant and mode only.
    const vaulted: VaultedCard = {
      token: String(row?.token),
      fingerprint: '',
      brand: 'visa',
      bin: '',
      last4: '',
      expMonth: 11,
      expYear: 2031,
      sealed: String(row?.sealed),
    };
    const opened = await openVaultedCard(env, vaulted, { merchantId: merchant.id, mode: 'test' });
    expect(opened).toEqual({ number: NUMBER, expMonth: 11, expYear: 2031 });
    await expect(openVaultedCard(env, vaulted, { merchantId: merchant.id, mode: 'live' })).rejects.toThrow();

    const idempotency = env.IDEMPOTENCY.get(
      env.IDEMPOTENCY.idFromName(await sha256Hex(`checkout:${order.id}\n${key}`)),
    );
    const places: Record<string, string> = {
      order: await dumpObject(orderStub(order.id)),
      merchant: await dumpObject(merchantStub(merchant.id)),
      sandbox: await dumpObject(sandboxStub(attemptId)),
      idempotency: await dumpObject(idempotency),
      d1: await dumpD1(),
      logs: logged.join('\n'),
    };
    for (const [place, dump] of Object.entries(places)) {
      expect(dump.includes(NUMBER), `card number in ${place}`).toBe(false);
      expect(holdsCvc(dump), `security code in ${place}`).toBe(false);
      expect(dump.includes('Ada Lovelace'), `cardholder name in ${place}`).toBe(false);
    }

    // Settled: the sealed number and expiry go once the grace has passed; what identifies the card stays.
    await alarmAfter(order.id, CARD_ERASE_GRACE_SECONDS - 5);
    expect((await cardsOf(order))[0]?.sealed).not.toBeNull();
    await alarmAfter(order.id, 10);
    const [erased] = await cardsOf(order);
    expect(erased).toMatchObject({ sealed: null, last4: '3184', fingerprint: row?.fingerprint });
    await expect(
      openVaultedCard(env, { ...vaulted, sealed: null }, { merchantId: merchant.id, mode: 'test' }),
    ).rejects.toThrow(/erased/);
  });

  it('fingerprints a card alike across orders and merchants, and two cards apart', async () => {
    const fingerprintOf = async (number: string) => {
      const merchant = await createMerchant();
      const order = await newOrder(merchant.secret_key);
      await call(`/v1/checkout/${order.id}/attempts`, { key: order.client_token, body: attempt(number, '123') });
      return String((await cardsOf(order))[0]?.fingerprint);
    };
    const visa = await fingerprintOf('4242424242424242');
    expect(await fingerprintOf('4242 4242 4242 4242')).toBe(visa);
    expect(await fingerprintOf('5555555555554444')).not.toBe(visa);
    // Keyed: not a bare hash anyone could compute from a guessed number.
    expect(visa).not.toContain((await sha256Hex('4242424242424242')).slice(0, 8));
  });

  it('erases the card of an order that never settles once it has expired', async () => {
    const merchant = await createMerchant();
    const order = await newOrder(merchant.secret_key, { expires_in: 900 });
    const declined = await call(`/v1/checkout/${order.id}/attempts`, {
      key: order.client_token,
      body: attempt('4000000000000002', '123'),
    });
    expect(declined.status).toBe(201);
    expect((await cardsOf(order))[0]?.sealed).not.toBeNull();
    await alarmAfter(order.id, 901);
    await alarmAfter(order.id, CARD_ERASE_GRACE_SECONDS);
    expect((await cardsOf(order))[0]?.sealed).toBeNull();
  });
});
