/**
 * The shape of one entry in the API route table. The OpenAPI document is generated from these
 * entries, so everything a merchant reads about an endpoint lives in its entry.
 */
import type { z } from 'zod';
import type { ErrorCode } from '../../../shared/errors.ts';

/** Who may call a route; each maps to a security scheme (`channel` is the channel's own signature). */
export type Role = 'admin' | 'secret' | 'restricted' | 'publishable' | 'client_token' | 'channel';

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

export interface ParamSpec {
  schema: z.ZodType;
  description: string;
}

export interface ResponseSpec {
  description: string;
  schema: z.ZodType;
  /** JSON unless said otherwise; channel acknowledgements are plain text. */
  contentType?: 'application/json' | 'text/plain';
}

export interface DeepObjectParam {
  name: string;
  description: string;
  /** A record schema: each `name[key]=value` pair is one entry. */
  schema: z.ZodType;
}

type PathParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParamNames<Rest>
  : never;

/** Path parameters are required exactly when the path has `{name}` segments, so none is forgotten. */
type PathParams<P extends string> = [PathParamNames<P>] extends [never]
  ? { params?: undefined }
  : { params: { [K in PathParamNames<P>]: ParamSpec } };

interface RouteFields {
  method: 'get' | 'post' | 'delete';
  operationId: string;
  summary: string;
  /** One or two sentences a merchant needs. */
  description: string;
  tags: readonly Tag[];
  /** Roles that may call it; empty means public. */
  auth: readonly Role[];
  /** A zod object whose properties become query parameters. */
  query?: z.ZodObject;
  /** Bracketed query parameters (`metadata[key]=value`), documented as deepObject. */
  deepObjectQuery?: readonly DeepObjectParam[];
  /** A zod schema for a JSON body, or `opaque` for a body in someone else's format. */
  body?: z.ZodType | { opaque: string };
  /** The body may be left out (it reads as `{}`). */
  optionalBody?: boolean;
  /** Request bodies shown in the document; tests check each one against `body`. */
  bodyExample?: Record<string, unknown>;
  responses: Readonly<Record<number, ResponseSpec>>;
  /** Accepts an Idempotency-Key header and replays the first response for the same key. */
  idempotent: boolean;
  /** Errors particular to this route; those every route of its kind may return are added by the document. */
  errors: readonly ErrorCode[];
}

export type RouteSpec<P extends string> = RouteFields & { path: P } & PathParams<P>;

export type ApiRoute = RouteFields & { path: string; params?: Readonly<Record<string, ParamSpec>> | undefined };

/** Checks an entry's path parameters against its path at compile time. */
export function route<const P extends string>(spec: RouteSpec<P>): ApiRoute {
  return spec;
}
