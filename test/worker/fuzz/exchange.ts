/**
 * Sends one planned request and checks it: the answer against the document, and, for a 4xx,
 * the state of everything the request could touch before and after. A broken invariant throws
 * a report of the request (method, path, headers, body excerpt) and the answer (status, code).
 */

import { SELF } from 'cloudflare:test';
import { MERCHANT_ID, ORDER_ID } from '../../../shared/schemas.ts';
import { answerProblems, errorCodeOf } from './invariants.ts';
import type { SchemaSet } from './json-schema.ts';
import type { Operation } from './operations.ts';
import { renderRequest, type WireRequest } from './render-request.ts';
import type { RequestPlan } from './request-plan.ts';
import { StateCache, stateChanges } from './state-snapshot.ts';
import type { FuzzStats } from './stats.ts';
import { ORIGIN, type World } from './world.ts';

/** Refusals of a credential that was valid when the run began: the fuzzer itself broke the world. */
const WORLD_BROKEN = new Set(['invalid_api_key', 'expired_api_key', 'merchant_disabled', 'missing_signature']);
const ID_IN_TEXT = /[a-z]{2,4}_[0-9A-Za-z]{8,}/g;

const excerpt = (text: string, length = 400) =>
  text.length > length ? `${text.slice(0, length)}…(${text.length} chars)` : text;

function bodyText(body: WireRequest['body']): string {
  if (body === undefined) return '';
  return typeof body === 'string' ? body : new TextDecoder().decode(body);
}

export function describeRequest(request: WireRequest): string {
  const headers = request.headers.map(([name, value]) => `    ${name}: ${excerpt(JSON.stringify(value), 120)}`);
  const body =
    request.body instanceof Uint8Array
      ? `bytes [${[...request.body].map((byte) => byte.toString(16)).join(' ')}]`
      : request.body === undefined
        ? '(none)'
        : excerpt(JSON.stringify(request.body));
  return [`  ${request.method} ${excerpt(request.target, 300)}`, ...headers, `    body: ${body}`].join('\n');
}

export class Fuzzer {
  private readonly cache = new StateCache();

  private readonly world: World;
  private readonly schemas: SchemaSet;
  private readonly stats: FuzzStats;

  constructor(world: World, schemas: SchemaSet, stats: FuzzStats) {
    this.world = world;
    this.schemas = schemas;
    this.stats = stats;
  }

  /** The objects a request could change: the world's merchants and every order it names or names a relative of. */
  private targets(request: WireRequest) {
    const text = `${request.target} ${bodyText(request.body)}`;
    const named = new Set(text.match(ID_IN_TEXT) ?? []);
    for (const id of [...named]) for (const relative of this.world.related.get(id) ?? []) named.add(relative);
    // Ids of no object in the world count too: a refused call must not leave a made-up id's object
    // with anything in it (a merchant id well formed but unknown once got a channel row that way).
    const orders = [...named].filter((id) => ORDER_ID.test(id));
    const merchants = [this.world.main.id, this.world.other.id, ...[...named].filter((id) => MERCHANT_ID.test(id))];
    return { merchants: [...new Set(merchants)], orders };
  }

  async exchange(operation: Operation, plan: RequestPlan): Promise<void> {
    const request = await renderRequest(operation, plan, this.world);
    const targets = this.targets(request);
    const before = await this.cache.capture(targets);
    const response = await SELF.fetch(`${ORIGIN}${request.target}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the invariants say whether it had to be
    }
    const status = response.status;
    const code = errorCodeOf(body);
    const answer = {
      status,
      body,
      requestId: response.headers.get('request-id'),
      replayed: response.headers.get('idempotent-replayed') === 'true',
      location: response.headers.get('location'),
    };
    const problems = answerProblems(operation, answer, this.schemas);
    if (status >= 400 && status < 500) {
      this.cache.forget();
      const after = await this.cache.capture(targets);
      // A signed request's nonce is recorded once its signature checks, whatever comes after:
      // a replay of it must fail even if the first try was refused (docs/decisions.md, "Signed requests").
      const changes = stateChanges(before, after, (row) => request.nonce !== null && row.includes(request.nonce));
      if (changes.length > 0) {
        this.cache.forget();
        problems.push(`a ${status} changed state:\n      ${changes.join('\n      ')}`);
      }
    } else {
      this.cache.forget();
    }
    this.stats.record(operation.id, status, code);
    if (status >= 200 && status < 300) this.world.harvest(body, plan.auth.kind === 'foreign' ? 'other' : 'main');
    if (plan.auth.kind === 'valid' && code !== null && WORLD_BROKEN.has(code)) {
      await this.world.heal();
      this.cache.forget();
    }
    if (problems.length > 0) {
      throw new Error(
        [
          `${operation.id} broke an invariant:`,
          describeRequest(request),
          `  → ${status} ${code ?? ''} ${excerpt(text, 300)}`,
          ...problems.map((problem) => `  ✗ ${problem}`),
        ].join('\n'),
      );
    }
  }
}
