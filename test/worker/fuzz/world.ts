/**
 * The world the fuzzer's requests land in, set up once per run: a merchant with keys of every
 * kind, orders open, paid, authorized, canceled, declined and refunded, webhook endpoints and the
 * events all that made, plus a second merchant whose ids and keys must never open the first's
 * objects. The world learns every id, client token and identifier-like string from the 2xx
 * answers it sees, so a path or body parameter can be filled with something that exists.
 *
 * Time: `Date` is faked (as in webhook-helpers.ts), a week ahead of the real clock, so every alarm
 * the objects set lies in the real future and never fires during the run. Nothing changes state
 * in the background, so a difference between two snapshots is the request's doing. The world is
 * settled once, after setup, by running each order's due alarms by hand.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { vi } from 'vitest';
import type { MerchantWithKeys } from '../../../shared/schemas.ts';
import { call, card, createMerchant, newOrder, ORIGIN, orderStub, pay } from '../helpers.ts';
import type { JsonSchema, SchemaSet } from './json-schema.ts';
import type { KnownStrings } from './schema-values.ts';

const WEEK_MS = 7 * 24 * 3600_000;
/** Strings worth offering back to the API: ids, enum values, channel names. Not URLs, prose or secrets. */
const IDENTIFIER = /^[A-Za-z0-9_.*-]{1,48}$/;
const ID = /^[a-z]{2,4}_[0-9A-Za-z]{8,}$/;
const MAX_WEIGHT = 16;

export type Credential = { header?: string; query?: string };
type Owner = 'main' | 'other';

/** Answers every outbound request but the local channel fakes: webhook URLs the fuzzer made up must not leave. */
export function keepOutboundLocal(): void {
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = new URL(new Request(input, init).url);
    if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return realFetch(input, init);
    return new Response('ok', { status: 200 });
  });
}

export class World {
  /** Each string the main merchant's answers showed, with how often: common words (`sandbox`, `card`) come up more. */
  readonly strings = new Map<string, number>();
  /** What the other merchant's answers showed: its ids must never open for the main merchant. */
  readonly foreignStrings = new Map<string, number>();
  /** The main merchant's strings by the field they were seen in: `channel` → `sandbox`. */
  private readonly byField = new Map<string, Map<string, number>>();
  /** id → ids seen inside the same object (an order's attempts and refunds, an event's order). */
  readonly related = new Map<string, Set<string>>();
  readonly orderTokens = new Map<string, string>();
  readonly usedIdempotencyKeys: string[] = [];
  lastSignature: string | null = null;
  signingSecret: string;
  private version = 0;
  private readonly matches = new Map<string, WeakMap<JsonSchema, { version: number; strings: string[] }>>();

  readonly main: MerchantWithKeys;
  readonly other: MerchantWithKeys;
  private restrictedKey: string;
  private readonly schemas: SchemaSet;

  private constructor(main: MerchantWithKeys, other: MerchantWithKeys, restrictedKey: string, schemas: SchemaSet) {
    this.main = main;
    this.other = other;
    this.restrictedKey = restrictedKey;
    this.schemas = schemas;
    this.signingSecret = main.request_signing_secret;
  }

  static async create(schemas: SchemaSet): Promise<World> {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + WEEK_MS);
    keepOutboundLocal();
    const [main, other] = [await createMerchant(), await createMerchant()];
    const restricted = await call<{ secret: string }>('/v1/keys', {
      key: main.secret_key,
      body: { kind: 'restricted' },
    });
    const world = new World(main, other, restricted.body.secret, schemas);
    world.harvest(main);
    world.harvest(other, 'other');
    world.harvest(restricted.body);
    await world.populate(main, 'main');
    await world.populate(other, 'other');
    await world.settle();
    await world.learnListings(main.secret_key, 'main');
    await world.learnListings(other.secret_key, 'other');
    return world;
  }

  /** Orders in each state an operation cares about, refunds, webhook endpoints, spare keys. */
  private async populate(merchant: MerchantWithKeys, owner: Owner): Promise<void> {
    const secretKey = merchant.secret_key;
    const learn = <T>(body: T): T => {
      this.harvest(body, owner);
      return body;
    };
    const order = async (overrides: Record<string, unknown> = {}) => learn(await newOrder(secretKey, overrides));
    await order();
    await order({ currency: 'JPY', amount: 500, metadata: { cart: 'c_1', 'odd key': 'v' } });
    const paid = await order();
    learn((await pay(paid, card('4242424242424242'))).body);
    const refunded = await order();
    learn((await pay(refunded, card('4242424242424242'))).body);
    // Authorizations are used up by capture and void (and capture runs first): enough for both.
    for (let index = 0; index < 4; index++) {
      const authorized = await order({ capture_method: 'manual' });
      learn((await pay(authorized, card('4242424242424242'))).body);
    }
    const canceled = await order();
    await call(`/v1/orders/${canceled.id}/cancel`, { key: secretKey, method: 'POST' });
    const declined = await order();
    learn((await pay(declined, card('4000000000000002'))).body);
    const challenged = await order();
    learn((await pay(challenged, card('4000000000003220'))).body);
    for (const amount of [100, 200]) {
      const refund = await call(`/v1/orders/${refunded.id}/refunds`, { key: secretKey, body: { amount } });
      learn(refund.body);
    }
    for (const path of ['a', 'b']) {
      const endpoint = await call('/v1/webhook_endpoints', {
        key: secretKey,
        body: { url: `https://hooks.test/${path}` },
      });
      learn(endpoint.body);
    }
    for (const kind of ['secret', 'publishable', 'restricted']) {
      const spare = await call(`/v1/admin/merchants/${merchant.id}/keys`, { key: env.TILL_ADMIN_KEY, body: { kind } });
      learn(spare.body);
    }
  }

  /** Runs each known order's due alarms (webhook deliveries, index writes) until none is due. */
  async settle(): Promise<void> {
    for (let round = 0; round < 20; round++) {
      let ran = false;
      for (const id of this.orders()) {
        const due = await runInDurableObject(orderStub(id), (_instance, state) => state.storage.getAlarm());
        if (due !== null && due <= Date.now()) ran = (await runDurableObjectAlarm(orderStub(id))) || ran;
      }
      if (!ran) return;
    }
    throw new Error('the world does not settle: alarms keep coming');
  }

  private async learnListings(secretKey: string, owner: Owner): Promise<void> {
    const paths = ['/v1/events?limit=100', '/v1/orders?limit=100', '/v1/keys', '/v1/webhook_endpoints'];
    for (const id of this.orders()) paths.push(`/v1/orders/${id}/refunds`);
    for (const path of paths) {
      const { status, body } = await call(path, { key: secretKey });
      if (status === 200) this.harvest(body, owner);
    }
  }

  private ids(prefix: string): string[] {
    return [...this.strings.keys(), ...this.foreignStrings.keys()].filter(
      (value) => value.startsWith(prefix) && ID.test(value),
    );
  }

  /** Every order the world knows, either merchant's. */
  orders(): string[] {
    return this.ids('ord_');
  }

  merchants(): string[] {
    return this.ids('mer_');
  }

  /** Learns what a 2xx answer showed: ids and their relations, client tokens, a rolled signing secret. */
  harvest(body: unknown, owner: Owner = 'main'): void {
    const into = owner === 'main' ? this.strings : this.foreignStrings;
    const before = into.size;
    this.walk(body, into);
    if (before !== into.size) this.version++;
  }

  private walk(node: unknown, into: Map<string, number>, field?: string): string[] {
    if (typeof node === 'string') {
      if (IDENTIFIER.test(node)) {
        into.set(node, (into.get(node) ?? 0) + 1);
        if (field !== undefined && into === this.strings) {
          const seen = this.byField.get(field) ?? new Map<string, number>();
          if (!seen.has(node)) this.version++;
          seen.set(node, (seen.get(node) ?? 0) + 1);
          this.byField.set(field, seen);
        }
      }
      return ID.test(node) ? [node] : [];
    }
    if (Array.isArray(node)) return node.flatMap((item) => this.walk(item, into, field));
    if (node === null || typeof node !== 'object') return [];
    const record = node as Record<string, unknown>;
    const ids = Object.entries(record).flatMap(([key, value]) => this.walk(value, into, key));
    if (typeof record.id === 'string' && ID.test(record.id)) {
      for (const id of ids) {
        if (id === record.id) continue;
        this.relate(record.id, id);
        this.relate(id, record.id);
      }
      if (typeof record.client_token === 'string') this.orderTokens.set(record.id, record.client_token);
    }
    // The main merchant's secret key rolled its signing secret.
    if (into === this.strings && record.object === 'signing_secret' && typeof record.secret === 'string')
      this.signingSecret = record.secret;
    return ids;
  }

  private relate(from: string, to: string): void {
    const set = this.related.get(from) ?? new Set<string>();
    set.add(to);
    this.related.set(from, set);
  }

  /** Ids seen together with `id` (its order's refunds, an event's order) that satisfy `schema`. */
  relatedFitting(id: string, schema: JsonSchema): string[] {
    return [...(this.related.get(id) ?? [])].filter((value) => this.schemas.errors(schema, value).length === 0);
  }

  /** The world's strings that satisfy a schema, recomputed only when the world learned something. */
  readonly known: KnownStrings = {
    matching: (schema, name) => {
      const seen = name === undefined ? undefined : this.byField.get(name);
      const named = seen ? this.matching(schema, seen, `field ${name}`) : [];
      return named.length > 0 ? named : this.matching(schema, this.strings, 'main');
    },
    foreign: (schema) => this.matching(schema, this.foreignStrings, 'other'),
  };

  /** Strings that fit, each as many times as it was seen (up to MAX_WEIGHT), so a draw favours the common ones. */
  private matching(schema: JsonSchema, pool: Map<string, number>, name: string): string[] {
    const cache = this.matches.get(name) ?? new WeakMap();
    this.matches.set(name, cache);
    const cached = cache.get(schema);
    if (cached && cached.version === this.version) return cached.strings;
    const strings = [...pool]
      .filter(([value]) => this.schemas.errors(schema, value).length === 0)
      .flatMap(([value, count]) => Array<string>(Math.min(count, MAX_WEIGHT)).fill(value));
    cache.set(schema, { version: this.version, strings });
    return strings;
  }

  /** A credential that satisfies a security scheme of the main merchant, for the order in the path if a token. */
  credential(scheme: string, pathValues: readonly unknown[]): Credential | null {
    const bearer = (key: string): Credential => ({ header: `Bearer ${key}` });
    switch (scheme) {
      case 'secretKey':
        return bearer(this.main.secret_key);
      case 'restrictedKey':
        return bearer(this.restrictedKey);
      case 'publishableKey':
        return bearer(this.main.publishable_key);
      case 'publishableKeyQuery':
        return { query: this.main.publishable_key };
      case 'adminKey':
        return bearer(env.TILL_ADMIN_KEY);
      case 'clientToken': {
        const forPath = pathValues.map((value) => this.orderTokens.get(String(value))).find(Boolean);
        const any = [...this.orderTokens.values()][0];
        const token = forPath ?? any;
        return token ? bearer(token) : null;
      }
      default:
        return null;
    }
  }

  /** Keys and tokens that authenticate somewhere, for the wrong caller: other kinds, modes, merchant, orders. */
  foreignCredentials(): string[] {
    return [
      this.main.secret_key,
      this.restrictedKey,
      this.main.publishable_key,
      this.main.live_secret_key,
      this.main.live_publishable_key,
      this.other.secret_key,
      this.other.publishable_key,
      env.TILL_ADMIN_KEY,
      ...[...this.orderTokens.values()].slice(0, 4),
    ];
  }

  /**
   * Puts the main merchant back in working order after the fuzzer disabled it, demanded signed
   * requests, or rolled or revoked a key it authenticates with: found by a valid credential
   * refused, repaired through the admin API, so later requests still reach deep.
   */
  async heal(): Promise<void> {
    const admin = { key: env.TILL_ADMIN_KEY };
    await call(`/v1/admin/merchants/${this.main.id}`, {
      ...admin,
      body: { disabled: false, require_signed_requests: false },
    });
    const works = async (key: string, path: string) => (await call(path, { key })).status === 200;
    const replacement = async (kind: string) => {
      const created = await call<{ secret: string }>(`/v1/admin/merchants/${this.main.id}/keys`, {
        ...admin,
        body: { kind },
      });
      this.harvest(created.body);
      return created.body.secret;
    };
    if (!(await works(this.main.secret_key, '/v1/merchant'))) this.main.secret_key = await replacement('secret');
    if (!(await works(this.restrictedKey, '/v1/merchant'))) this.restrictedKey = await replacement('restricted');
    if (!(await works(this.main.publishable_key, '/v1/payment_methods')))
      this.main.publishable_key = await replacement('publishable');
  }
}

export { ORIGIN };
