/**
 * Cursor pagination over the D1 projections, newest first. A cursor is an object id; the page
 * continues from that object's position, the order rows were copied into the index in, so a row
 * that arrives while a client pages through lands after (newer than) everything it has seen.
 */
import { TillError } from '../../shared/errors.ts';
import type { List } from '../../shared/schemas.ts';

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
  /** A D1 projection with an `id` and an AUTOINCREMENT `position`. */
  table: 'orders' | 'events' | 'merchants';
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

export async function listPage<Row, Item>(
  db: D1Database,
  request: ListRequest,
  toItem: (row: Row) => Item,
): Promise<List<Item>> {
  const { table, owner, query } = request;
  const where = [...owner, ...request.filters, ...createdFilters(query)];
  const cursorId = query.starting_after ?? query.ending_before;
  const backwards = query.ending_before !== undefined;
  if (cursorId !== undefined) {
    const param = backwards ? 'ending_before' : 'starting_after';
    const cursor = await db
      .prepare(`SELECT position FROM ${table} WHERE ${['id = ?', ...owner.map(([clause]) => clause)].join(' AND ')}`)
      .bind(cursorId, ...owner.flatMap(([, ...values]) => values))
      .first<{ position: number }>();
    if (!cursor) throw new TillError('invalid_parameter', `${param}: no such object in this list`, param);
    where.push([backwards ? 'position > ?' : 'position < ?', cursor.position]);
  }
  const sql = `SELECT * FROM ${table}
    ${where.length > 0 ? `WHERE ${where.map(([clause]) => clause).join(' AND ')}` : ''}
    ORDER BY position ${backwards ? 'ASC' : 'DESC'}
    LIMIT ?`;
  const { results } = await db
    .prepare(sql)
    .bind(...where.flatMap(([, ...bound]) => bound), query.limit + 1)
    .all<Row>();
  const rows = results.slice(0, query.limit);
  return {
    object: 'list',
    data: (backwards ? rows.reverse() : rows).map(toItem),
    has_more: results.length > query.limit,
    url: request.url,
  };
}

/** The `created[gt|gte|lt|lte]` filters shared by every list. */
function createdFilters(query: PageQuery, column = 'created_at'): Clause[] {
  const operators = { 'created[gt]': '>', 'created[gte]': '>=', 'created[lt]': '<', 'created[lte]': '<=' } as const;
  return (Object.keys(operators) as Array<keyof typeof operators>)
    .filter((name) => query[name] !== undefined)
    .map((name) => [`${column} ${operators[name]} ?`, query[name] as number]);
}
