/**
 * The SDK's resource methods, declared from the API's route table (`shared/api/`), as stripe-node
 * declares its methods from its spec: every route whose entry names an SDK method becomes
 * `till.<resource>.<method>(…path ids, params?, options?)`, typed from the route's own path, body
 * or query and success schemas, its answer parsed with that schema. A route a merchant key may
 * call cannot be declared without its SDK method, so none is left out.
 */
import type { z } from 'zod';
import type { ApiRoute, PathParamTuple, SdkResource, SuccessSchema } from '../shared/api/route.ts';
import { type ApiRoutes, ROUTE_LIST } from '../shared/api/routes.ts';
import type { List } from '../shared/schemas.ts';
import type { HttpClient, RequestOptions } from './http.ts';
import { autoPage, segment } from './pagination.ts';
import { encodeQuery, type QueryValue } from './query.ts';

type Routes = ApiRoutes;

/** The keys an object type requires (absent from none of its values). */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

/**
 * A query parameter sent in the URL but documented as a credential (`?key=pk_…`): the SDK sends its key in a header.
 */
type CredentialParam = 'key';

type Plain<T> = {
  [K in keyof T as K extends `${string}[${string}]` | CredentialParam ? never : K]: T[K];
};
type GroupNames<T> = keyof T extends infer K ? (K extends `${infer G}[${string}]` ? G : never) : never;
/** `created[gt]`, `created[lt]` … as `created: { gt, lt }`. */
type Groups<T> = {
  [G in GroupNames<T>]?: { [K in keyof T as K extends `${G}[${infer S}]` ? S : never]?: T[K] };
};
type DeepObjects<R extends ApiRoute> = R['deepObjectQuery'] extends readonly (infer D extends { name: string })[]
  ? { [N in D['name']]?: Record<string, string> }
  : unknown;

/** What a GET's query takes: its values as the API reads them, required where the API requires them. */
export type QueryParams<R extends ApiRoute> = R['query'] extends z.ZodType
  ? Pick<Plain<z.output<R['query']>>, Extract<keyof Plain<z.output<R['query']>>, RequiredKeys<z.input<R['query']>>>> &
      Partial<Plain<z.output<R['query']>>> &
      Groups<z.output<R['query']>> &
      DeepObjects<R>
  : never;

export type BodyParams<R extends ApiRoute> = R['body'] extends z.ZodType ? z.input<R['body']> : never;

type ParamsArgs<R extends ApiRoute> = R['body'] extends z.ZodType
  ? R['optionalBody'] extends true
    ? [params?: BodyParams<R>]
    : object extends BodyParams<R>
      ? [params?: BodyParams<R>]
      : [params: BodyParams<R>]
  : R['query'] extends z.ZodType
    ? object extends QueryParams<R>
      ? [params?: QueryParams<R>]
      : [params: QueryParams<R>]
    : [];

type OptionsArgs<R extends ApiRoute> = R['method'] extends 'post' ? [options?: RequestOptions] : [];

export type Answer<R extends ApiRoute> = z.output<SuccessSchema<R>>;

export type Method<R extends ApiRoute> = (
  ...args: [...PathParamTuple<R['path']>, ...ParamsArgs<R>, ...OptionsArgs<R>]
) => Promise<Answer<R>>;

type Binding<K extends keyof Routes> = Routes[K]['sdk'];

/** `till.<resource>`: one method per route the table binds to it. */
export type Resource<Res extends SdkResource> = {
  [K in keyof Routes as Binding<K> extends { resource: Res; method: infer M extends string } ? M : never]: Method<
    Routes[K]
  >;
};

/** The route bound to `till.<resource>.<method>`. */
export type RouteOf<Res extends SdkResource, M extends string> = {
  [K in keyof Routes]: Binding<K> extends { resource: Res; method: M } ? Routes[K] : never;
}[keyof Routes];

/** Cursor-paginated list methods also walk every page: `listAutoPaging(params)`. */
export type AutoPaging<Res extends SdkResource> =
  Answer<RouteOf<Res, 'list'>> extends List<infer Item extends { id: string }>
    ? { listAutoPaging(params?: QueryParams<RouteOf<Res, 'list'>>): AsyncGenerator<Item, void, undefined> }
    : unknown;

const pathNames = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');

/**
 * The query as the API documents it, in a stable order: plain parameters in the schema's order,
 * then bracketed groups (`created[gt]`), then deep objects (`metadata[key]`). Anything else an
 * untyped caller passes is not sent.
 */
function queryOf(route: ApiRoute, params: Record<string, unknown>): string {
  const shape = Object.keys((route.query as unknown as { shape?: Record<string, unknown> }).shape ?? {});
  const ordered: Record<string, QueryValue> = {};
  for (const name of shape) if (!name.includes('[') && name !== 'key') ordered[name] = params[name] as QueryValue;
  for (const group of new Set(shape.filter((name) => name.includes('[')).map((name) => name.split('[')[0] ?? ''))) {
    ordered[group] = { ...(params[group] as Record<string, string | number | undefined>) };
  }
  for (const deep of route.deepObjectQuery ?? []) ordered[deep.name] = params[deep.name] as QueryValue;
  return encodeQuery(ordered);
}

function bind(http: HttpClient, route: ApiRoute): (...args: unknown[]) => Promise<unknown> {
  const names = pathNames(route.path);
  const [status] = Object.keys(route.responses);
  const schema = route.responses[Number(status)]?.schema;
  if (!schema) throw new TypeError(`${route.path} declares no success response`);
  const takesParams = route.body !== undefined || route.query !== undefined;
  const method = route.method.toUpperCase() as 'GET' | 'POST' | 'DELETE';
  return async (...args) => {
    let path = route.path;
    names.forEach((name, i) => {
      const label = route.params?.[name]?.label ?? name;
      path = path.replace(`{${name}}`, segment(args[i] as string, label));
    });
    const rest = args.slice(names.length);
    const params = (takesParams ? rest.shift() : undefined) ?? {};
    const options = (rest.shift() ?? {}) as RequestOptions;
    return http.request(
      {
        method,
        path,
        ...(route.query ? { query: queryOf(route, params as Record<string, unknown>) } : {}),
        ...(route.body ? { body: params } : {}),
        idempotencyKey: options.idempotencyKey,
      },
      schema,
    );
  };
}

/** Builds `till.<resource>` from the table, with `listAutoPaging` where its list is paginated. */
export function resource<Res extends SdkResource>(http: HttpClient, name: Res): Resource<Res> & AutoPaging<Res> {
  const methods: Record<string, unknown> = {};
  for (const route of ROUTE_LIST) {
    if (route.sdk?.resource !== name) continue;
    const call = bind(http, route);
    methods[route.sdk.method] = call;
    const paginated = route.method === 'get' && route.sdk.method === 'list' && pathNames(route.path).length === 0;
    const cursor = (route.query as unknown as { shape?: Record<string, unknown> } | undefined)?.shape?.starting_after;
    if (paginated && cursor) {
      methods.listAutoPaging = (params: Record<string, unknown> = {}) =>
        autoPage(params, (page) => call(page) as Promise<List<{ id: string }>>);
    }
  }
  return methods as Resource<Res> & AutoPaging<Res>;
}
