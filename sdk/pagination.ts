/** Walking a cursor-paginated list to its end, one page at a time. */
import type { List } from '../shared/schemas.ts';

export interface CursorParams {
  starting_after?: string | undefined;
  ending_before?: string | undefined;
}

/**
 * Yields every item from the first page on. Pages forward with `starting_after` = the last id
 * seen; when the caller started with `ending_before`, pages backward with the first id instead.
 */
export async function* autoPage<T extends { id: string }, P extends CursorParams>(
  params: P,
  fetchPage: (params: P) => Promise<List<T>>,
): AsyncGenerator<T, void, undefined> {
  const backward = params.ending_before !== undefined;
  let current = params;
  for (;;) {
    const page = await fetchPage(current);
    yield* page.data;
    const edge = backward ? page.data[0] : page.data.at(-1);
    if (!page.has_more || !edge) return;
    current = backward ? { ...current, ending_before: edge.id } : { ...current, starting_after: edge.id };
  }
}

/** A path segment from an id the caller passed: refused when empty, percent-encoded otherwise. */
export function segment(id: string, what: string): string {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError(`Till: ${what} must be a non-empty string`);
  return encodeURIComponent(id);
}
