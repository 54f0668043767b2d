/**
 * The shape of one entry in the API's route table: everything about an endpoint is said once,
 * here, and the rest is derived from it. The worker mounts its Hono routes from the entries
 * (`worker/http/mount.ts`: auth, rate limits, CORS, idempotency and input parsing, in one order),
 * the OpenAPI document is built from them, the role matrix test reads who may call each one, and
 * the SDK's resource methods are declared from them (`sdk/resources.ts`).
 */
import type { z } from 'zod';
import type { ErrorCode } from '../errors.ts';

/** Who may call a route; each maps to a security scheme (`channel` is the channel's own signature). */
export type Role = 'admin' | 'secret' | 'restricted' | 'publishable' | 'client_token' | 'channel';

/** The merchant key roles: a route callable with one of them is part of the server SDK. */
export type MerchantKeyRole = Extract<Role, 'secret' | 'restricted' | 'publishable'>;

export type Tag =
  | 'Orders'
  | 'Refunds'
  | 'Events'
  | 'Webhook endpoints'
  | 'Merchant'
  | 'API keys'
  | 'Payment methods'
  | 'Checkout'
  | 'Channels'
  | 'Admin'
  | 'Meta';

/**
 * The rate limits a request may count against, by the policy name it advertises in
 * `RateLimit-Policy`; the worker binds each to its counter (`worker/http/rate-limit.ts`).
 */
export type RateLimitPolicy = 'merchant-key' | 'checkout-ip' | 'attempts-ip' | 'attempts-order';

/** Which browser origins may call a route (CORS); routes without one answer no CORS at all. */
export type CorsRule =
  /** The origins the order's merchant allowed, looked up from the route's order id (preflights too). */
  | 'order_merchant_origins'
  /** The origins the calling key's merchant allowed (simple requests only: the key may be in the query). */
  | 'merchant_origins'
  /** Any origin: public documents. */
  | 'any';

export interface ParamSpec {
  schema: z.ZodType<string, string>;
  description: string;
  /** How the SDK names it in its errors ("order id must be a non-empty string"). */
  label: string;
  /** A value of the right shape, for the document and the tests. */
  example: string;
  /** The answer to a value that is not of the right shape: a malformed id is a missing object. */
  invalid: { code: ErrorCode; message: string };
}

export interface ResponseSpec {
  description: string;
  schema: z.ZodType;
  /** A redirect (3xx): the answer is its Location, `schema` describes that URL, and there is no body. */
  redirect?: true;
  /** JSON unless said otherwise; channel acknowledgements are plain text. */
  contentType?: 'application/json' | 'text/plain';
}

export interface DeepObjectParam {
  name: string;
  description: string;
  /** A record schema: each `name[key]=value` pair is one entry. */
  schema: z.ZodType<Record<string, string>>;
}

/** Where the route's calls live in the server SDK: `till.<resource>.<method>(…)`. */
export interface SdkBinding {
  resource: SdkResource;
  method: string;
}

export type SdkResource = 'orders' | 'events' | 'webhookEndpoints' | 'merchant' | 'keys' | 'paymentMethods';

type PathParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParamNames<Rest>
  : never;

/** The path's parameters in the order they appear: the SDK takes them positionally. */
export type PathParamTuple<P extends string> = P extends `${string}{${string}}${infer Rest}`
  ? [string, ...PathParamTuple<Rest>]
  : [];

/** Path parameters are required exactly when the path has `{name}` segments, so none is forgotten. */
type PathParams<P extends string> = [PathParamNames<P>] extends [never]
  ? { params?: undefined }
  : { params: { [K in PathParamNames<P>]: ParamSpec } };

type Responses = Readonly<Record<number, ResponseSpec>>;

interface RouteFields {
  method: 'get' | 'post' | 'delete';
  summary: string;
  /** One or two sentences a merchant needs. */
  description: string;
  tags: readonly Tag[];
  /** Roles that may call it; empty means public. */
  auth: readonly Role[];
  /** A publishable key may also come as `?key=pk_…`, which spares browsers a CORS preflight. */
  keyInQuery?: true;
  /**
   * Settings both modes share: once live mode is on, only a live secret key may change them
   * (the merchant object enforces it; the document says it and the role matrix tests it).
   */
  sharedSettings?: true;
  /** A WebSocket: the success is 101, and a browser offers the client token as a subprotocol. */
  websocket?: true;
  limits?: readonly RateLimitPolicy[];
  cors?: CorsRule;
  /** A zod object whose properties become query parameters. */
  query?: z.ZodType<Record<string, unknown>>;
  /** Query parameters a valid call may send, for the document and the tests. */
  queryExample?: Readonly<Record<string, string>>;
  /** Bracketed query parameters (`metadata[key]=value`), documented as deepObject. */
  deepObjectQuery?: readonly DeepObjectParam[];
  /**
   * A zod schema for a JSON body, or `opaque` for a body in someone else's format. Without one,
   * a POST takes no body (or `{}`): anything else is refused and changes nothing.
   */
  body?: z.ZodType | { opaque: string };
  /** The body may be left out (it reads as `{}`). */
  optionalBody?: true;
  /** A body a valid call may send: shown in the document, checked against `body`, used by tests. */
  bodyExample?: Readonly<Record<string, unknown>>;
  responses: Responses;
  /** Accepts an Idempotency-Key header and replays the first response for the same key. */
  idempotent: boolean;
  /** Errors particular to this route; those every route of its kind may return are added by the document. */
  errors: readonly ErrorCode[];
  /** Its server SDK method, or null for routes merchants do not call with their keys. */
  sdk: SdkBinding | null;
}

/** Routes a merchant key may call must have an SDK method, so a new one cannot be left out of the SDK. */
type SdkRule<R extends ApiRoute> = R['sdk'] extends null
  ? [Extract<R['auth'][number], MerchantKeyRole>] extends [never]
    ? unknown
    : { missingSdkMethod: 'a merchant key may call this route: name its SDK method in `sdk`' }
  : unknown;

/** A JSON body needs an example, which the document shows and the tests send. */
type ExampleRule<B> = B extends z.ZodType ? { bodyExample: Readonly<Record<string, unknown>> } : unknown;

export type ApiRoute = RouteFields & {
  path: string;
  params?: Readonly<Record<string, ParamSpec>> | undefined;
};

type Checks<R extends ApiRoute> = PathParams<R['path']> & SdkRule<R> & ExampleRule<R['body']>;

/** Checks an entry against its own path, roles and body at compile time, keeping its literal types. */
export function route<const R extends ApiRoute>(spec: R & Checks<R>): R {
  return spec;
}

/** The zod schema of a route's one success response: handlers answer its input, the SDK reads its output. */
export type SuccessSchema<R extends Pick<ApiRoute, 'responses'>> =
  R['responses'] extends Readonly<Record<number, infer S>>
    ? S extends { schema: infer Z extends z.ZodType }
      ? Z
      : never
    : never;

/** The one success response of a route (an endpoint answers one way when it works). */
export function successOf(route: Pick<ApiRoute, 'responses'>): { status: number; spec: ResponseSpec } {
  const entries = Object.entries(route.responses);
  const [entry] = entries;
  if (entries.length !== 1 || !entry) throw new Error('a route declares exactly one success response');
  return { status: Number(entry[0]), spec: entry[1] };
}

/** `/v1/orders/{id}` as Hono writes it: `/v1/orders/:id`. */
export const honoPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');
