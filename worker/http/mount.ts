/**
 * Mounts the route table (`shared/api/`) on the Hono app. Each entry gets, in one fixed order,
 * what it declares: rate limits and CORS, who may call it, idempotency, then its path, query and
 * body read and validated with its own schemas. The handler receives the parsed input and
 * returns the documented success body (or a whole Response where HTTP itself is the answer).
 * A handler map must name every operation of the table it mounts, or `tsc` fails.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { type ApiRoute, honoPath, type SuccessSchema, successOf } from '../../shared/api/route.ts';
import { TillError } from '../../shared/errors.ts';
import type { AppEnv } from '../base/env.ts';
import type { CheckoutEnv, MerchantEnv } from './auth.ts';
import { parseWith, readBodyBytes, readEmptyBody, readJsonValue } from './input.ts';
import { listQuery } from './query.ts';
import { preflightChain, routeChain } from './route-middleware.ts';

type Roles<R extends ApiRoute> = R['auth'][number];

/** The Hono environment a route's handler sees: what its auth middleware set. */
export type EnvOf<R extends ApiRoute> = [Extract<Roles<R>, 'secret' | 'restricted' | 'publishable'>] extends [never]
  ? 'client_token' extends Roles<R>
    ? CheckoutEnv
    : AppEnv
  : MerchantEnv;

type ParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamNames<Rest> : never;

type SchemaOutput<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler receives, already validated. */
export interface Input<R extends ApiRoute> {
  params: { [K in ParamNames<R['path']>]: string };
  query: SchemaOutput<R['query']>;
  /** `metadata[key]=value` filters, for routes that declare them. */
  metadata: Record<string, string>;
  body: SchemaOutput<R['body']>;
  /** The JSON body as sent, before the schema applied defaults and transforms (request fingerprints). */
  raw: unknown;
}

type SuccessBody<R extends ApiRoute> = z.input<SuccessSchema<R>>;

export type Handler<R extends ApiRoute> = (
  c: Context<EnvOf<R>>,
  input: Input<R>,
) => Promise<SuccessBody<R> | Response> | SuccessBody<R> | Response;

/** One handler per operation of the table, keyed by operation id. */
export type Handlers<T extends Record<string, ApiRoute>> = { [K in keyof T]: Handler<T[K]> };

async function readInput(c: Context, route: ApiRoute): Promise<Input<ApiRoute>> {
  const params: Record<string, string> = {};
  for (const [name, spec] of Object.entries(route.params ?? {})) {
    const parsed = spec.schema.safeParse(c.req.param(name));
    if (!parsed.success) throw new TillError(spec.invalid.code, spec.invalid.message, name);
    params[name] = parsed.data;
  }
  let query: unknown;
  let metadata: Record<string, string> = {};
  if (route.query) {
    const withMetadata = route.deepObjectQuery?.some((deep) => deep.name === 'metadata') ?? false;
    ({ query, metadata } = listQuery(c, route.query, { metadata: withMetadata }));
  }
  let body: unknown;
  let raw: unknown;
  if (route.body === undefined) {
    if (route.method !== 'get') await readEmptyBody(c);
  } else if (!('opaque' in route.body)) {
    const empty = route.optionalBody === true && (await readBodyBytes(c)).byteLength === 0;
    raw = empty ? {} : await readJsonValue(c);
    body = parseWith(route.body, raw);
  }
  return { params, query, metadata, body, raw } as Input<ApiRoute>;
}

/** Mounts every entry of `routes` on `app` with its handler. */
export function mountRoutes<T extends Record<string, ApiRoute>>(app: Hono<AppEnv>, routes: T, handlers: Handlers<T>) {
  const preflighted = new Set<string>();
  for (const [operationId, route] of Object.entries(routes)) {
    const handle = handlers[operationId as keyof T] as unknown as Handler<ApiRoute>;
    if (typeof handle !== 'function') throw new TypeError(`no handler for ${operationId}`);
    const { status } = successOf(route);
    const path = honoPath(route.path);
    const endpoint: MiddlewareHandler<AppEnv> = async (c) => {
      const answer = await handle(c as never, await readInput(c, route));
      return answer instanceof Response ? answer : c.json(answer, status as 200);
    };
    // Hono types handler lists position by position; these are built, so they go in as one.
    const chain = [...routeChain(route), endpoint] as unknown as [MiddlewareHandler<AppEnv>];
    app.on(route.method.toUpperCase(), path, ...chain);
    const preflight = preflightChain(route);
    if (preflight && !preflighted.has(path)) {
      preflighted.add(path);
      const answer: MiddlewareHandler<AppEnv> = async (c) => c.body(null, 204);
      app.options(path, ...([...preflight, answer] as unknown as [MiddlewareHandler<AppEnv>]));
    }
  }
}
