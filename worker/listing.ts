/**
 * Cursor pagination over the D1 projections, newest first. A cursor is an object id; the page
 * continues from that object's position in a total order (its sort key ends with a unique
 * column). Orders and events sort by the position they were copied into the index at, so a row
 * that arrives while a client pages through lands after (newer than) everything it has seen.
 */
import { TillError } from '../shared/errors.ts';
import type { List } from '../shared/schemas.ts';

type Clause = [clause: string, ...values: unknown[]];

/** The paging and creation-time parameters every list accepts (already validated). */
export interface PageQuery {
  limit: number;
  starting_after?: string | undefined;
  ending_before?: string | undefined;
  'created[gt]'?: number | undefined;
  'created[gte]'?: number | undefined;
  'created[lt]'?: number | undefined;
  'created[lte]'?: number | undefined;
}

export interface ListRequest {
  table: string;
  /** Sort columns, most significant first; the last must be unique. */
  sortKey: readonly string[];
  /** Whose list it is (merchant and mode): the cursor must be one of theirs. */
  owner: Clause[];
  /** Filters beyond creation time; the cursor may no longer match them (an order paid since). */
  filters: Clause[];
  query: PageQuery;
  /** The list's own path, echoed as `url`. */
  url: string;
}

/** A merchant's rows in the mode of the key that asks. */
export const ownedBy = (merchant: { id: string; mode: string }): Clause[] => [
  ['merchant_id = ?', merchant.id],
  ['mode = ?', merchant.mode],
];

export async function listPage<Row, Item>(db: D1Database, request: ListRequest, toItem: (row: Row) => Item): Promise<List<Item>> {
  const { query } = request;
  const page = await findPage<Row>(db, request, [...request.filters, ...createdFilters(query)], query);
  return { object: 'list', data: page.rows.map(toItem), has_more: page.hasMore, url: request.url };
}

async function findPage<Row>(db: D1Database, request: ListRequest, filters: Clause[], query: PageQuery): Promise<{ rows: Row[]; hasMore: boolean }> {
  const where = [...request.owner, ...filters];
  const cursorId = query.starting_after ?? query.ending_before;
  const backwards = query.ending_before !== undefined;
  if (cursorId !== undefined) {
    const param = backwards ? 'ending_before' : 'starting_after';
    const ownerClauses = request.owner.map(([clause]) => clause);
    const ownerValues = request.owner.flatMap(([, ...values]) => values);
    const cursor = await db
      .prepare(
        `SELECT ${request.sortKey.join(', ')} FROM ${request.table}
         WHERE ${['id = ?', ...ownerClauses].join(' AND ')}`,
      )
      .bind(cursorId, ...ownerValues)
      .first<Record<string, unknown>>();
    if (!cursor) throw new TillError('invalid_parameter', `${param}: no such object in this list`, param);
    const tuple = `(${request.sortKey.join(', ')})`;
    const marks = `(${request.sortKey.map(() => '?').join(', ')})`;
    where.push([`${tuple} ${backwards ? '>' : '<'} ${marks}`, ...request.sortKey.map((column) => cursor[column])]);
  }
  const direction = backwards ? 'ASC' : 'DESC';
  const sql = `SELECT * FROM ${request.table}
    ${where.length > 0 ? `WHERE ${where.map(([clause]) => clause).join(' AND ')}` : ''}
    ORDER BY ${request.sortKey.map((column) => `${column} ${direction}`).join(', ')}
    LIMIT ?`;
  const values = [...where.flatMap(([, ...bound]) => bound), query.limit + 1];
  const { results } = await db.prepare(sql).bind(...values).all<Row>();
  const hasMore = results.length > query.limit;
  const rows = results.slice(0, query.limit);
  return { rows: backwards ? rows.reverse() : rows, hasMore };
}

/** The `created[gt|gte|lt|lte]` filters shared by every list. */
function createdFilters(query: PageQuery, column = 'created_at'): Clause[] {
  const operators = { 'created[gt]': '>', 'created[gte]': '>=', 'created[lt]': '<', 'created[lte]': '<=' } as const;
  return (Object.keys(operators) as Array<keyof typeof operators>)
    .filter((name) => query[name] !== undefined)
    .map((name) => [`${column} ${operators[name]} ?`, query[name] as number]);
}
