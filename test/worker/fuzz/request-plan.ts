/**
 * One request to one operation as a plan of choices, one per parameter place, drawn by
 * fast-check so it shrinks toward the valid request. Every place draws valid values most of the
 * time, so the request gets past the checks before the one a hostile value is aimed at.
 */
import fc from 'fast-check';
import { hostileJson, hostileString, type Mutation, mutation } from './hostile-values.ts';
import type { Operation, Parameter } from './operations.ts';
import type { ValueGenerator } from './schema-values.ts';

/** Malformed percent-encodings and overlong or surrogate UTF-8, placed raw in a path segment or query. */
export const RAW_ENCODINGS = ['%', '%zz', '%E0%A4%A', '%C0%80', '%00', '%ED%A0%80', '%FF%FE', '%25', '%2F', '%0A', '+'];

export type Choice<T> =
  | { kind: 'valid'; value: T }
  | { kind: 'hostile'; value: string }
  | { kind: 'raw'; text: string };
type QueryExtra =
  | { kind: 'hostile'; name: string; value: string }
  | { kind: 'duplicate'; index: number }
  | { kind: 'raw'; text: string };
type Auth =
  | { kind: 'valid'; scheme: number }
  | { kind: 'none' }
  | { kind: 'foreign'; index: number }
  | { kind: 'header'; value: string };
type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; mutation: Mutation | null }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: readonly number[] };
type Header =
  | { kind: 'none' }
  | { kind: 'fresh'; value: string }
  | { kind: 'reuse'; index: number }
  | { kind: 'raw'; value: string };
type Signature =
  | { kind: 'none' }
  | { kind: 'valid' }
  | { kind: 'stale' }
  | { kind: 'replay' }
  | { kind: 'raw'; value: string };

export interface RequestPlan {
  path: Choice<unknown>[];
  /** Path ids that belong together (a refund of the order in the path), when the world has such. */
  coherentPath: boolean;
  query: [string, Choice<unknown>][];
  queryExtras: QueryExtra[];
  auth: Auth;
  idempotencyKey: Header;
  signature: Signature;
  body: Body;
  contentType: string | null;
}

/**
 * Header values the fetch API lets through (ASCII: workerd re-encodes others): control characters,
 * long, odd separators.
 */
const HOSTILE_HEADER_VALUES = [
  'x',
  'x'.repeat(8192),
  '\u0001\u007f',
  '"quoted"',
  'a, b',
  '=;,',
  'Bearer',
  'Bearer Bearer x',
  'Basic dXNlcjpwYXNz',
  'null',
];

/** Content types a client might send with a JSON body, right and wrong. */
const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=iso-8859-1',
  'application/json-patch+json',
  '',
];

const weighted = <T>(...entries: [number, fc.Arbitrary<T>][]) =>
  fc.oneof(...entries.map(([weight, arbitrary]) => ({ weight, arbitrary })));

const headerValue = (): fc.Arbitrary<string> => fc.constantFrom(...HOSTILE_HEADER_VALUES);

/**
 * How much more often a place gets a valid value than a hostile one: about one hostile place per
 * request, whatever the number of places, so most requests get past every check but the one
 * aimed at and a failure points at one place.
 */
function validWeight(operation: Operation): number {
  const places = operation.parameters.length + (operation.body ? 3 : 1);
  return Math.max(4, 2 * places);
}

export function requestPlan(operation: Operation, values: ValueGenerator): fc.Arbitrary<RequestPlan> {
  const valid = validWeight(operation);
  const parameters = (place: Parameter['in']) => operation.parameters.filter((p) => p.in === place);
  const valueChoice = (parameter: Parameter) =>
    weighted<Choice<unknown>>(
      [valid, values.valid(parameter.schema, parameter.name).map((value) => ({ kind: 'valid' as const, value }))],
      [1, values.foreign(parameter.schema).map((value) => ({ kind: 'valid' as const, value }))],
      [1, hostileString().map((value) => ({ kind: 'hostile' as const, value }))],
      [1, fc.constantFrom(...RAW_ENCODINGS).map((text) => ({ kind: 'raw' as const, text }))],
    );
  const path = fc.tuple(...parameters('path').map(valueChoice));
  const query = fc
    .tuple(
      ...parameters('query').map((parameter) =>
        parameter.required
          ? valueChoice(parameter).map((choice) => [[parameter.name, choice]] as [string, Choice<unknown>][])
          : fc
              .option(valueChoice(parameter), { freq: 2 })
              .map((choice) => (choice ? [[parameter.name, choice]] : []) as [string, Choice<unknown>][]),
      ),
    )
    .map((lists) => lists.flat());
  const queryNames = parameters('query').map((p) => (p.deepObject ? `${p.name}[k]` : p.name));
  const queryExtra = weighted<QueryExtra>(
    [
      3,
      fc.record({
        kind: fc.constant('hostile' as const),
        name: fc.oneof(
          fc.constantFrom(...queryNames, 'x', 'created[gt][x]', 'metadata[]', 'metadata'),
          hostileString(),
        ),
        value: hostileString(),
      }),
    ],
    [2, fc.record({ kind: fc.constant('duplicate' as const), index: fc.nat() })],
    [1, fc.constantFrom(...RAW_ENCODINGS).map((text) => ({ kind: 'raw' as const, text: `${text}=${text}` }))],
  );
  const has = (name: string) => operation.parameters.some((p) => p.name === name);
  return fc.record({
    path,
    coherentPath: weighted([3, fc.constant(true)], [1, fc.constant(false)]),
    query,
    queryExtras: weighted([valid, fc.constant([])], [1, fc.array(queryExtra, { minLength: 1, maxLength: 2 })]),
    auth: authPlan(operation, valid),
    idempotencyKey: has('Idempotency-Key') ? idempotencyPlan(valid) : fc.constant({ kind: 'none' as const }),
    signature: has('Till-Signature') ? signaturePlan(valid) : fc.constant({ kind: 'none' as const }),
    body: bodyPlan(operation, values, valid),
    contentType: weighted<string | null>(
      [valid, fc.constant('application/json')],
      [1, fc.constant(null)],
      [1, fc.constantFrom(...CONTENT_TYPES)],
    ),
  });
}

function authPlan(operation: Operation, valid: number): fc.Arbitrary<Auth> {
  const none = fc.constant({ kind: 'none' as const });
  const right: fc.Arbitrary<Auth> =
    operation.security.length > 0
      ? fc.nat({ max: operation.security.length - 1 }).map((scheme) => ({ kind: 'valid' as const, scheme }))
      : none;
  return weighted<Auth>(
    [valid, right],
    [1, none],
    [1, fc.nat().map((index) => ({ kind: 'foreign' as const, index }))],
    [1, headerValue().map((value) => ({ kind: 'header' as const, value }))],
  );
}

const idempotencyPlan = (valid: number): fc.Arbitrary<Header> =>
  weighted<Header>(
    [valid, fc.constant({ kind: 'none' })],
    [valid, fc.stringMatching(/^[\x21-\x7e]{1,64}$/).map((value) => ({ kind: 'fresh' as const, value }))],
    [1, fc.nat().map((index) => ({ kind: 'reuse' as const, index }))],
    [1, fc.oneof(headerValue(), fc.constant('k'.repeat(256))).map((value) => ({ kind: 'raw' as const, value }))],
  );

const signaturePlan = (valid: number): fc.Arbitrary<Signature> =>
  weighted<Signature>(
    [valid, fc.constant({ kind: 'none' })],
    [valid, fc.constant({ kind: 'valid' })],
    [1, fc.constantFrom({ kind: 'stale' as const }, { kind: 'replay' as const })],
    [
      1,
      fc
        .oneof(headerValue(), fc.constantFrom('t=1,nonce=abcdefghijklmnop,v1=00', 't=x,v1=y', `v1=${'0'.repeat(64)}`))
        .map((value) => ({ kind: 'raw' as const, value })),
    ],
  );

function bodyPlan(operation: Operation, values: ValueGenerator, valid: number): fc.Arbitrary<Body> {
  if (operation.method === 'GET' || operation.method === 'HEAD') return fc.constant({ kind: 'none' });
  const raw = weighted<Body>(
    [
      2,
      fc
        .constantFrom('', '{', 'null', '{"a":1', '[1,2', 'a=1&b=2', '{"a":1}{"b":2}')
        .map((text) => ({ kind: 'text' as const, text })),
    ],
    [1, fc.constant({ kind: 'text' as const, text: `{"description":"${'x'.repeat(70 * 1024)}"}` })],
    [
      1,
      fc
        .constantFrom(
          [0xff, 0xfe, 0x7b, 0x7d],
          [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0x80, 0x22, 0x7d],
          [0xef, 0xbb, 0xbf, 0x7b, 0x7d],
          [0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d],
        )
        .map((bytes) => ({ kind: 'bytes' as const, bytes })),
    ],
  );
  const json = (value: fc.Arbitrary<unknown>, withMutation: boolean) =>
    fc
      .tuple(value, withMutation ? mutation().map((m): Mutation | null => m) : fc.constant(null))
      .map(([body, change]) => ({ kind: 'json' as const, value: body, mutation: change }));
  const none = fc.constant({ kind: 'none' as const });
  if (operation.body === null) return weighted<Body>([valid, none], [1, json(hostileJson(), false)], [1, raw]);
  if ('opaque' in operation.body)
    return weighted<Body>([4, json(fc.jsonValue(), false)], [2, json(hostileJson(), false)], [2, raw], [1, none]);
  const schema = operation.body.schema;
  const examples = operation.body.examples;
  const drawn = values.valid(schema);
  // The document's examples are bodies that work: drawn as often as bodies from the schema.
  const validBody = examples.length > 0 ? fc.oneof(drawn, fc.constantFrom(...examples)) : drawn;
  // The body is where most of a request's meaning is: it gets a larger share of the hostility.
  return weighted<Body>(
    [valid, json(validBody, false)],
    [Math.max(2, Math.floor(valid / 3)), json(validBody, true)],
    [1, json(hostileJson(), false)],
    [1, raw],
    [operation.body.required ? 1 : Math.floor(valid / 2), none],
  );
}
