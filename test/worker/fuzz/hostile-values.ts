/**
 * Hostile values and the JSON text they travel in. Some hostile JSON cannot be built from JS
 * values (`-0`, numbers past 2^53, duplicate keys, nesting deeper than a recursive serializer
 * goes), so bodies are written by `jsonText`, which understands `RawJson` and `JsonEntries`.
 */
import fc from 'fast-check';

/** JSON text placed as is. */
export class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text.length > 80 ? `${this.text.slice(0, 80)}…(${this.text.length} chars)` : this.text;
  }
}

/** An object written from its entries: keys may repeat, and `__proto__` is a plain key. */
export class JsonEntries {
  readonly entries: ReadonlyArray<readonly [string, unknown]>;
  constructor(entries: ReadonlyArray<readonly [string, unknown]>) {
    this.entries = entries;
  }
}

export function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof JsonEntries)
    return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${jsonText(item)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : jsonText(item))).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return jsonText(new JsonEntries(Object.entries(value).filter(([, item]) => item !== undefined)));
  return JSON.stringify(value) ?? 'null';
}

const LONG = 100 * 1024;

/** Strings that have broken parsers, validators, SQL, logs and key lookups elsewhere. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0001\u0008\u001b[31m\u007f',
  '\r\n\t',
  '\ud800',
  'a\udfffb',
  '\ufeffUSD',
  'x'.repeat(LONG),
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  '9007199254740993',
  '-0',
  'NaN',
  'Infinity',
  '1e309',
  '0x10',
  '1_000',
  '١٢٣',
  '１２３',
  'null',
  'undefined',
  '[object Object]',
  '%00',
  '%',
  '%zz',
  '<script>alert(1)</script>',
  "' OR 1=1; DROP TABLE orders; --",
  '\u202eevil',
  '💳',
  'e\u0301',
  'ord_AAAAAAAAAAAAAAAAAAAAAAAA',
  'ord_*',
  '*',
];

/** JSON values of every wrong type and edge, for any place a value goes. */
export const HOSTILE_JSON: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e-7,
  2 ** 31,
  -(2 ** 53),
  new RawJson('-0'),
  new RawJson('9007199254740993'),
  new RawJson('123456789012345678901234567890'),
  new RawJson('1e400'),
  new RawJson('-1e400'),
  new RawJson('1E2'),
  [],
  {},
  [null],
  [[[[[[[[[[[[]]]]]]]]]]]],
  new RawJson(`${'['.repeat(5000)}${']'.repeat(5000)}`),
  new RawJson(`${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`),
  new JsonEntries([['__proto__', { polluted: true }]]),
  new JsonEntries([['constructor', { prototype: { polluted: true } }]]),
];

export const hostileString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  );

export const hostileJson = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_JSON) },
    { weight: 2, arbitrary: hostileString() },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );

/** Every place in a JSON value, as a path of keys and indexes, the root first. */
function places(value: unknown, path: (string | number)[] = [], found: (string | number)[][] = []) {
  found.push(path);
  const children: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : isPlainObject(value)
      ? Object.entries(value)
      : [];
  for (const [key, item] of children) places(item, [...path, key], found);
  return found;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !(value instanceof RawJson) && !(value instanceof JsonEntries);

function replaceAt(value: unknown, path: (string | number)[], make: (old: unknown) => unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return make(value);
  if (Array.isArray(value)) return value.map((item, index) => (index === head ? replaceAt(item, rest, make) : item));
  if (isPlainObject(value))
    return new JsonEntries(
      Object.entries(value).map(([key, item]) => [key, key === head ? replaceAt(item, rest, make) : item] as const),
    );
  return value;
}

export type Mutation =
  | { kind: 'replace'; place: number; with: unknown }
  | { kind: 'drop'; place: number }
  | { kind: 'extra'; place: number; key: string; with: unknown }
  | { kind: 'duplicate'; place: number }
  | { kind: 'wrap-in-array'; place: number };

/** One structural change at a place chosen by index: what a careless or hostile client sends. */
export const mutation = (): fc.Arbitrary<Mutation> =>
  fc.oneof(
    fc.record({ kind: fc.constant('replace' as const), place: fc.nat(), with: hostileJson() }),
    fc.record({ kind: fc.constant('drop' as const), place: fc.nat() }),
    fc.record({
      kind: fc.constant('extra' as const),
      place: fc.nat(),
      key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'extra', 'amount', 'id'), hostileString()),
      with: hostileJson(),
    }),
    fc.record({ kind: fc.constant('duplicate' as const), place: fc.nat() }),
    fc.record({ kind: fc.constant('wrap-in-array' as const), place: fc.nat() }),
  );

export function applyMutation(value: unknown, change: Mutation): unknown {
  const all = places(value);
  const path = all[change.place % all.length] ?? [];
  switch (change.kind) {
    case 'replace':
      return replaceAt(value, path, () => change.with);
    case 'wrap-in-array':
      return replaceAt(value, path, (old) => [old]);
    case 'drop': {
      if (path.length === 0) return undefined;
      const parent = path.slice(0, -1);
      const last = path[path.length - 1];
      return replaceAt(value, parent, (old) =>
        Array.isArray(old)
          ? old.filter((_, index) => index !== last)
          : isPlainObject(old)
            ? new JsonEntries(Object.entries(old).filter(([key]) => key !== last))
            : old,
      );
    }
    case 'extra':
    case 'duplicate': {
      // Into the nearest object at or above the place.
      let target = path;
      const objectAt = (at: (string | number)[]) => at.reduce<unknown>((node, key) => (node as never)?.[key], value);
      while (target.length > 0 && !isPlainObject(objectAt(target))) target = target.slice(0, -1);
      return replaceAt(value, target, (old) => {
        if (!isPlainObject(old)) return old;
        const entries = Object.entries(old);
        if (change.kind === 'extra') return new JsonEntries([...entries, [change.key, change.with]]);
        const first = entries[0];
        return new JsonEntries(first ? [...entries, [first[0], new RawJson('"duplicate"')]] : entries);
      });
    }
  }
}
