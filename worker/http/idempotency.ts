/**
 * `Idempotency-Key` for every POST that creates or changes something. The first request with a
 * key runs; a retry with the same body gets the first answer again (`Idempotent-Replayed: true`);
 * the same key with another body is refused (409 `idempotency_key_reused`); a request arriving
 * while the first still runs is refused (409 `idempotency_key_in_use`) — never two effects.
 * Answers of 5xx and 429 are not kept, so those can be retried with the same key.
 */
import type { Context, Env as HonoEnv, MiddlewareHandler } from 'hono';
import { sha256Hex, utf8 } from '../../shared/encoding.ts';
import { TillError } from '../../shared/errors.ts';
import type { AppEnv } from '../base/env.ts';
import { vaultOf } from '../base/vault.ts';
import { readBodyBytes } from './input.ts';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
/** What a replay repeats besides status and body; request-id and rate-limit headers are the replay's own. */
const REPLAYED_HEADERS = ['content-type', 'cache-control', 'location'];

export interface IdempotencyOptions<E extends HonoEnv> {
  /** Whose keys these are: a key is only ever compared with the same caller's keys. */
  scope: (c: Context<E>) => string;
}

export function idempotency<E extends AppEnv>(options: IdempotencyOptions<E>): MiddlewareHandler<E> {
  const { scope } = options;
  if (typeof scope !== 'function') throw new TypeError('idempotency needs a scope function');

  return async function idempotencyMiddleware(c, next) {
    const key = c.req.header(IDEMPOTENCY_KEY_HEADER);
    if (key === undefined) return next();
    if (!KEY_FORMAT.test(key)) {
      throw new TillError(
        'invalid_parameter',
        'Idempotency-Key must be 1 to 255 visible ASCII characters',
        IDEMPOTENCY_KEY_HEADER,
      );
    }
    const url = new URL(c.req.url);
    const line = utf8(`${c.req.method} ${url.pathname}${url.search}\n`);
    const body = new Uint8Array(await readBodyBytes(c));
    const request = new Uint8Array(line.length + body.length);
    request.set(line);
    request.set(body, line.length);
    // Keyed, never a bare hash: a body can hold a card number, which a hash of it would give away
    // to anyone able to guess it from its BIN and last four.
    const fingerprints = await (await vaultOf(c.env)).digests('idempotency fingerprint', request);
    const name = await sha256Hex(`${scope(c)}\n${key}`);
    const store = c.env.IDEMPOTENCY.get(c.env.IDEMPOTENCY.idFromName(name));
    const outcome = await store.begin(fingerprints);
    if (outcome.state === 'mismatch') {
      throw new TillError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request',
        IDEMPOTENCY_KEY_HEADER,
      );
    }
    if (outcome.state === 'in_progress') {
      throw new TillError(
        'idempotency_key_in_use',
        'A request with this Idempotency-Key is still being processed: retry in a moment',
        IDEMPOTENCY_KEY_HEADER,
      );
    }
    if (outcome.state === 'unreadable') {
      throw new TillError(
        'idempotency_answer_unavailable',
        'A request with this Idempotency-Key already finished, ' +
          'but its answer can no longer be read: check the outcome, then use a new key',
        IDEMPOTENCY_KEY_HEADER,
      );
    }
    if (outcome.state === 'replay') {
      const { status, body: text, headers } = outcome.response;
      return c.body(text, status as 200, { ...headers, 'Idempotent-Replayed': 'true' });
    }
    try {
      await next();
    } catch (error) {
      await store.release(outcome.token);
      throw error;
    }
    const response = c.res;
    if (response.status >= 500 || response.status === 429) {
      await store.release(outcome.token);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    await store.complete(outcome.token, { status: response.status, body: await response.clone().text(), headers });
  };
}
