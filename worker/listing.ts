/**
 * Cursor pagination over the D1 projections, newest first. A cursor is an object id; the page
 * continues from that object's position in a total order (its sort key ends with a unique
 * column). Orders and events sort by the position they were copied into the index at, so a row
 * that arrives while a client pages through lands after (newer than) everything it has seen.
 */
import { TillError } from '../shared/errors.ts';

export interface ListRequest {
  table: string;
  /** Sort columns, most significant first; the last must be unique. */
  sortKey: readonly string[];
  /** Whose list it is (merchant and mode): the cursor must be one of theirs. */
  owner: Array<[clause: string, ...values: unknown[]]>;
  /** Filters, each with its bind values; the cursor may no longer match them (an order paid since). */
  filters: Array<[clause: string, ...values: unknown[]]>;
  limit: number;
  startingAfter?: string | undefined;
  endingBefore?: string | undefined;
  /** Finds the cursor row's sort key (the same filters on owner apply). */
  cursorLookup: { idColumn: string; param: 'starting_after' | 'ending_before' };
}

export async function listPage<Row>(db: D1Database, request: ListRequest): Promise<{ rows: Row[]; hasMore: boolean }> {
  const where = [...request.owner, ...request.filters];
  const cursorId = request.startingAfter ?? request.endingBefore;
  const backwards = request.endingBefore !== undefined;
  if (cursorId !== undefined) {
    const param = backwards ? 'ending_before' : 'starting_after';
    const ownerClauses = request.owner.map(([clause]) => clause);
    const ownerValues = request.owner.flatMap(([, ...values]) => values);
    const cursor = await db
      .prepare(
        `SELECT ${request.sortKey.join(', ')} FROM ${request.table}
         WHERE ${[`${request.cursorLookup.idColumn} = ?`, ...ownerClauses].join(' AND ')}`,
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
  const values = [...where.flatMap(([, ...bound]) => bound), request.limit + 1];
  const { results } = await db.prepare(sql).bind(...values).all<Row>();
  const hasMore = results.length > request.limit;
  const rows = results.slice(0, request.limit);
  return { rows: backwards ? rows.reverse() : rows, hasMore };
}

/** The `created[gt|gte|lt|lte]` filters shared by every list. */
export function createdFilters(
  query: Partial<Record<'created[gt]' | 'created[gte]' | 'created[lt]' | 'created[lte]', number>>,
  column = 'created_at',
): Array<[string, number]> {
  const operators = { 'created[gt]': '>', 'created[gte]': '>=', 'created[lt]': '<', 'created[lte]': '<=' } as const;
  return (Object.keys(operators) as Array<keyof typeof operators>)
    .filter((name) => query[name] !== undefined)
    .map((name) => [`${column} ${operators[name]} ?`, query[name] as number]);
}
