/**
 * Turns a plan into the bytes sent: percent-encoded path and query (malformed where the plan says
 * so), the credential the world holds for the operation's scheme, an Idempotency-Key, a request
 * signature computed over what is actually sent, and the body's JSON text.
 */
import { signRequest } from '../../../shared/request-signature.ts';
import { applyMutation, jsonText } from './hostile-values.ts';
import type { Operation } from './operations.ts';
import type { Choice, RequestPlan } from './request-plan.ts';
import { ORIGIN, type World } from './world.ts';

export interface WireRequest {
  method: string;
  /** Path with query string, as sent. */
  target: string;
  headers: [string, string][];
  body: string | Uint8Array<ArrayBuffer> | undefined;
  /** The nonce of the signature the request carries, if any: the merchant may record it whatever the answer. */
  nonce: string | null;
}

/** Percent-encodes anything, lone surrogates included (as the three bytes WTF-8 would use). */
export function percentEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...value]
      .map((char) => {
        const code = char.charCodeAt(0);
        if (code < 0xd800 || code > 0xdfff || char.length > 1) return encodeURIComponent(char);
        return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((byte) => `%${byte.toString(16).toUpperCase()}`)
          .join('');
      })
      .join('');
  }
}

function renderValue(choice: Choice<unknown>): string {
  if (choice.kind === 'raw') return choice.text;
  const value = choice.value;
  return percentEncode(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
}

function renderQuery(plan: RequestPlan, operation: Operation): string[] {
  const pairs: string[] = [];
  for (const [name, choice] of plan.query) {
    const parameter = operation.parameters.find((p) => p.in === 'query' && p.name === name);
    if (parameter?.deepObject && choice.kind === 'valid' && choice.value !== null && typeof choice.value === 'object') {
      for (const [key, value] of Object.entries(choice.value))
        pairs.push(`${percentEncode(`${name}[${key}]`)}=${percentEncode(String(value))}`);
    } else {
      pairs.push(`${percentEncode(name)}=${renderValue(choice)}`);
    }
  }
  for (const extra of plan.queryExtras) {
    if (extra.kind === 'hostile') pairs.push(`${percentEncode(extra.name)}=${percentEncode(extra.value)}`);
    else if (extra.kind === 'raw') pairs.push(extra.text);
    else if (pairs.length > 0) pairs.push(pairs[extra.index % pairs.length] as string);
  }
  return pairs;
}

/** The path's choices, each later valid id swapped for one related to the first where the plan asks for it. */
function pathChoices(operation: Operation, plan: RequestPlan, world: World): Choice<unknown>[] {
  const [first, ...rest] = plan.path;
  if (!plan.coherentPath || first?.kind !== 'valid' || typeof first.value !== 'string') return plan.path;
  const schemas = operation.parameters.filter((p) => p.in === 'path').map((p) => p.schema);
  const anchor = first.value;
  return [
    first,
    ...rest.map((choice, index) => {
      const schema = schemas[index + 1];
      if (choice.kind !== 'valid' || !schema) return choice;
      const related = world.relatedFitting(anchor, schema);
      return related.length > 0
        ? { kind: 'valid' as const, value: related[String(choice.value).length % related.length] }
        : choice;
    }),
  ];
}

function renderPath(operation: Operation, choices: Choice<unknown>[]): string {
  let index = 0;
  return operation.path.replace(/\{[^}]+\}/g, () => {
    const choice = choices[index++];
    const segment = choice ? renderValue(choice) : 'x';
    // An empty or dot segment would be another path after URL normalization, not a bad parameter.
    return segment === '' || /^(\.|%2e){1,2}$/i.test(segment) ? '%20' : segment;
  });
}

function renderBody(plan: RequestPlan): string | Uint8Array<ArrayBuffer> | undefined {
  const body = plan.body;
  if (body.kind === 'none') return undefined;
  if (body.kind === 'text') return body.text;
  if (body.kind === 'bytes') return new Uint8Array(body.bytes);
  const value = body.mutation ? applyMutation(body.value, body.mutation) : body.value;
  return value === undefined ? '' : jsonText(value);
}

let freshKeys = 0;

export async function renderRequest(operation: Operation, plan: RequestPlan, world: World): Promise<WireRequest> {
  const headers: [string, string][] = [];
  const pairs = renderQuery(plan, operation);
  const choices = pathChoices(operation, plan, world);
  const pathValues = choices.map((choice) => (choice.kind === 'valid' ? choice.value : null));
  const auth = plan.auth;
  if (auth.kind === 'valid') {
    const credential = world.credential(operation.security[auth.scheme] ?? '', pathValues);
    if (credential?.header) headers.push(['authorization', credential.header]);
    if (credential?.query) pairs.unshift(`key=${percentEncode(credential.query)}`);
  } else if (auth.kind === 'foreign') {
    const keys = world.foreignCredentials();
    headers.push(['authorization', `Bearer ${keys[auth.index % keys.length]}`]);
  } else if (auth.kind === 'header') {
    headers.push(['authorization', auth.value]);
  }
  const key = plan.idempotencyKey;
  // A fresh key is one no request used before (a counter), in the shape the draw gave it.
  const fresh = key.kind === 'fresh' ? `${++freshKeys}-${key.value}` : null;
  if (fresh !== null) headers.push(['idempotency-key', fresh]);
  if (key.kind === 'raw') headers.push(['idempotency-key', key.value]);
  if (key.kind === 'reuse' && world.usedIdempotencyKeys.length > 0)
    headers.push([
      'idempotency-key',
      world.usedIdempotencyKeys[key.index % world.usedIdempotencyKeys.length] as string,
    ]);
  if (fresh !== null) world.usedIdempotencyKeys.push(fresh);

  const body = renderBody(plan);
  if (body !== undefined && plan.contentType !== null) headers.push(['content-type', plan.contentType]);
  // Signed as the server reads it: after the URL parser has normalized what it was given.
  const url = new URL(`${renderPath(operation, choices)}${pairs.length > 0 ? `?${pairs.join('&')}` : ''}`, ORIGIN);
  const target = `${url.pathname}${url.search}`;
  const signature = plan.signature;
  if (signature.kind === 'valid' || signature.kind === 'stale') {
    const timestamp = Math.floor(Date.now() / 1000) - (signature.kind === 'stale' ? 3600 : 0);
    // A fresh nonce each time, not drawn: shrinking re-sends a plan, and a drawn nonce would be a replay.
    const nonce = `fuzz${crypto.randomUUID().replaceAll('-', '')}`;
    const header = await signRequest(
      { method: operation.method, pathWithQuery: target, body: body ?? '' },
      { secret: world.signingSecret },
      { timestamp, nonce },
    );
    headers.push(['till-signature', header]);
    world.lastSignature = header;
  } else if (signature.kind === 'replay' && world.lastSignature) {
    headers.push(['till-signature', world.lastSignature]);
  } else if (signature.kind === 'raw') {
    headers.push(['till-signature', signature.value]);
  }
  const sent = headers.find(([name]) => name === 'till-signature')?.[1];
  const nonce = sent?.match(/(?:^|,)nonce=([^,]+)/)?.[1] ?? null;
  return { method: operation.method, target, headers, body, nonce };
}
