/**
 * The README's route table names every route of the API: the route table (`shared/api/`) is the
 * one declaration, and this keeps the README's summary from missing a route the day one is added.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTE_LIST } from '../../shared/api/routes.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Each `METHOD /path` the README mentions; `[/:x]` marks an optional tail, a trailing `…` a family. */
function mentions(): { method: string; path: string; family: boolean }[] {
  const found: { method: string; path: string; family: boolean }[] = [];
  for (const [, method = '', raw = ''] of readme.matchAll(/`(GET|POST|DELETE) (\/[^`?\s]*)[^`]*`/g)) {
    const family = raw.endsWith('…');
    const path = raw.replace(/…$/, '');
    const optional = /^(.*)\[([^\]]+)\]$/.exec(path);
    if (optional)
      found.push({ method, path: optional[1] ?? '', family }, { method, path: `${optional[1]}${optional[2]}`, family });
    else found.push({ method, path, family });
  }
  // `/v1/admin/merchants…` in the table stands for every admin route, whatever the method.
  for (const [, raw = ''] of readme.matchAll(/`(\/v1\/[^`]*…)`/g))
    found.push({ method: '*', path: raw.slice(0, -1), family: true });
  return found;
}

describe('README', () => {
  it('names every route of the table', () => {
    const named = mentions();
    const missing = ROUTE_LIST.filter((route) => route.path.startsWith('/v1/'))
      .map((route) => ({ method: route.method.toUpperCase(), path: route.path.replace(/\{(\w+)\}/g, ':$1') }))
      .filter(
        (route) =>
          !named.some(
            (mention) =>
              (mention.method === route.method || mention.method === '*') &&
              (mention.family ? route.path.startsWith(mention.path) : mention.path === route.path),
          ),
      )
      .map((route) => `${route.method} ${route.path}`);
    expect(missing).toEqual([]);
  });
});
