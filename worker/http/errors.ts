/**
 * The one envelope: every request gets an id, and every failure (a TillError, a framework's
 * 4xx, anything unexpected) becomes `{ error: { type, code, message, param?, request_id } }`,
 * as do a path no route has (404) and a method a path does not take (405 with `Allow`).
 */
import type { Context, ErrorHandler, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { TillError } from '../../shared/errors.ts';
import type { AppEnv } from '../base/env.ts';
import { newRequestId } from '../base/ids.ts';

export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const id = newRequestId();
    c.set('requestId', id);
    await next();
    c.res.headers.set('request-id', id);
  };
}

export const onError: ErrorHandler<AppEnv> = (error, c) => {
  const requestId = c.get('requestId') ?? newRequestId();
  let till: TillError;
  if (error instanceof TillError) {
    till = error;
  } else if (error instanceof HTTPException && error.status < 500) {
    till = new TillError('invalid_parameter', error.message || 'Bad request');
  } else {
    // Only the error's kind and where it happened: messages (the stack's first line) can echo inputs.
    const frames = (error as Error)?.stack?.split('\n').slice(1).join('\n');
    console.error('unhandled error', { request_id: requestId, name: (error as Error)?.name, frames });
    till = new TillError('internal_error', 'Something went wrong on our side. Try again later.');
  }
  return c.json(till.toEnvelope(requestId), till.status as 400, { ...till.headers, 'request-id': requestId });
};

interface RouteEntry {
  method: string;
  path: string;
}

const routePatterns = new WeakMap<readonly RouteEntry[], Array<{ method: string; pattern: RegExp }>>();

function patternsOf(routes: readonly RouteEntry[]) {
  let patterns = routePatterns.get(routes);
  if (!patterns) {
    patterns = routes
      .filter((route) => route.method !== 'ALL')
      .map((route) => ({
        method: route.method,
        // `:param` is one segment; a trailing `*` is the rest of the path (the widget's files).
        pattern: new RegExp(
          `^${route.path
            .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
            .replace(/:[^/]+/g, '[^/]+')
            .replace(/\/\*$/, '/.+')}$`,
        ),
      }));
    routePatterns.set(routes, patterns);
  }
  return patterns;
}

/** 404 for a path no route has; 405 with `Allow` for a known path and another method. */
export function notFound(c: Context<AppEnv>, routes: readonly RouteEntry[]): Response {
  const path = new URL(c.req.url).pathname;
  const allowed = [
    ...new Set(
      patternsOf(routes)
        .filter((route) => route.pattern.test(path))
        .map((route) => route.method),
    ),
  ];
  const requestId = c.get('requestId') ?? newRequestId();
  if (allowed.length > 0) {
    const till = new TillError(
      'method_not_allowed',
      `${c.req.method} is not allowed on ${path}: use ${allowed.join(' or ')}`,
    );
    return c.json(till.toEnvelope(requestId), 405, { allow: allowed.join(', ') });
  }
  const till = new TillError('not_found', `No route for ${c.req.method} ${path}`);
  return c.json(till.toEnvelope(requestId), 404);
}
