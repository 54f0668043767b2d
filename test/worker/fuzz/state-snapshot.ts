/**
 * Snapshots of what a request could change: every SQL table, the key-value storage and the alarm
 * of the Durable Objects it could touch (the world's merchants, and the orders it names or that
 * are related to what it names), plus every D1 table. Two snapshots are compared row by row.
 *
 * Left out on purpose: the idempotency objects. A 4xx answer to a request that carried an
 * Idempotency-Key is stored there to be replayed (docs/decisions.md, "Idempotency"), the one
 * documented state change a 4xx makes. The sandbox processor objects stand for a channel's
 * servers, not Till's state; a request reaches them only through the order object, whose tables
 * record any call it makes.
 */
import { env, runInDurableObject } from 'cloudflare:test';

/** `<place> <table>` → the table's rows as JSON, sorted. */
export type State = Map<string, string[]>;

const cell = (_key: string, value: unknown) =>
  value instanceof ArrayBuffer
    ? `bytes:${[...new Uint8Array(value)].map((byte) => byte.toString(16)).join('')}`
    : value;

const USER_TABLES =
  "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 4) != '_cf_' ORDER BY name";

async function objectState(namespace: DurableObjectNamespace, name: string, place: string, into: State) {
  const stub = namespace.get(namespace.idFromName(name));
  await runInDurableObject(stub, async (_instance, state) => {
    const sql = state.storage.sql;
    for (const { name: table } of sql.exec<{ name: string }>(USER_TABLES).toArray()) {
      const rows = sql.exec(`SELECT * FROM "${table}"`).toArray();
      into.set(`${place} ${table}`, rows.map((row) => JSON.stringify(row, cell)).sort());
    }
    const entries = [...(await state.storage.list()).entries()];
    into.set(`${place} (storage)`, entries.map((entry) => JSON.stringify(entry, cell)).sort());
    into.set(`${place} (alarm)`, [String(await state.storage.getAlarm())]);
  });
}

let d1Tables: string[] | null = null;

async function d1State(into: State) {
  // The tables are read once: migrations ran before the run, and no request creates a table.
  d1Tables ??= (await env.DB.prepare(USER_TABLES).all<{ name: string }>()).results.map((row) => row.name);
  const names = d1Tables;
  const results = await env.DB.batch(names.map((name) => env.DB.prepare(`SELECT * FROM "${name}"`)));
  names.forEach((name, index) => {
    into.set(`D1 ${name}`, (results[index]?.results ?? []).map((row) => JSON.stringify(row, cell)).sort());
  });
}

/**
 * Snapshots taken since the last request that may have changed state. Nothing changes in the
 * background (world.ts freezes the alarms), so the snapshot after a 4xx that changed nothing is
 * the snapshot before the next request; anything else forgets them all.
 */
export class StateCache {
  private readonly places = new Map<string, State>();

  async capture(targets: { merchants: string[]; orders: string[] }): Promise<State> {
    const wanted: [string, () => Promise<void>][] = [];
    const state: State = new Map();
    const load = (place: string, read: (into: State) => Promise<void>) => {
      const cached = this.places.get(place);
      if (cached) for (const [key, rows] of cached) state.set(key, rows);
      else
        wanted.push([
          place,
          async () => {
            const into: State = new Map();
            await read(into);
            this.places.set(place, into);
            for (const [key, rows] of into) state.set(key, rows);
          },
        ]);
    };
    load('D1', d1State);
    for (const id of targets.merchants)
      load(`merchant ${id}`, (into) => objectState(env.MERCHANTS, id, `merchant ${id}`, into));
    for (const id of targets.orders) load(`order ${id}`, (into) => objectState(env.ORDERS, id, `order ${id}`, into));
    await Promise.all(wanted.map(([, read]) => read()));
    return state;
  }

  /** After a request that may have changed something: read everything afresh next time. */
  forget(): void {
    this.places.clear();
  }
}

const excerpt = (row: string) => (row.length > 300 ? `${row.slice(0, 300)}…` : row);

/** Rows added or removed, one line each; rows `exempt` says the request may add are left out. */
export function stateChanges(before: State, after: State, exempt: (added: string) => boolean): string[] {
  const changes: string[] = [];
  for (const place of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(place) ?? [];
    const now = after.get(place) ?? [];
    const oldSet = new Set(old);
    const nowSet = new Set(now);
    for (const row of old) if (!nowSet.has(row)) changes.push(`${place}: - ${excerpt(row)}`);
    for (const row of now) if (!oldSet.has(row) && !exempt(row)) changes.push(`${place}: + ${excerpt(row)}`);
  }
  return changes;
}
