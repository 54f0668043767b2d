/**
 * An order's webhook deliveries in its SQLite (tables from ORDER_MIGRATIONS step 3), and the only
 * code that writes them: one row per event and endpoint, and a log of every attempt. Synchronous,
 * so the object composes them in transactions; also the views the API returns (the timeline, an
 * event's attempt log).
 *
 * Each endpoint has its own line, oldest event first: only the line's head is ever tried, so a
 * failing endpoint holds back its own later events and nobody else's.
 */
import { TillError } from '../../shared/errors.ts';
import type {
  DeliveryAttempt,
  OrderEventEntry,
  WebhookDelivery,
  WebhookDeliveryState,
  WebhookEvent,
} from '../../shared/schemas.ts';
import type { OutboxRow } from './order-store.ts';

export interface DeliveryRow extends Record<string, SqlStorageValue> {
  seq: number;
  event_seq: number;
  event_id: string;
  endpoint_id: string;
  redelivery: number;
  state: WebhookDeliveryState;
  tries: number;
  created_at: number;
  first_tried_at: number | null;
  next_attempt_at: number;
  last_error: string | null;
  delivered_at: number | null;
}

export interface DeliveryAttemptRow extends Record<string, SqlStorageValue> {
  seq: number;
  delivery_seq: number;
  event_id: string;
  endpoint_id: string;
  attempted_at: number;
  status: number | null;
  error: 'timeout' | 'network_error' | null;
  latency_ms: number;
  response_excerpt: string | null;
}

/** The pending delivery heading each endpoint's line (oldest event, then oldest delivery). */
const HEADS = `SELECT * FROM deliveries d WHERE d.state = 'pending' AND NOT EXISTS (
  SELECT 1 FROM deliveries e WHERE e.endpoint_id = d.endpoint_id AND e.state = 'pending'
    AND (e.event_seq < d.event_seq OR (e.event_seq = d.event_seq AND e.seq < d.seq)))`;

export function lineHeads(sql: SqlStorage): DeliveryRow[] {
  return sql.exec<DeliveryRow>(HEADS).toArray();
}

export function headOf(sql: SqlStorage, endpointId: string): DeliveryRow | undefined {
  return sql
    .exec<DeliveryRow>(
      "SELECT * FROM deliveries WHERE endpoint_id = ? AND state = 'pending' ORDER BY event_seq, seq LIMIT 1",
      endpointId,
    )
    .toArray()[0];
}

/** Events the alarm has not handed out yet, due now. */
export function eventsToHandOut(sql: SqlStorage, at: number): OutboxRow[] {
  return sql
    .exec<OutboxRow>("SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY seq", at)
    .toArray();
}

/** When the alarm has deliveries to make next: an event to hand out, or a line's head due. */
export function nextDeliveryAt(sql: SqlStorage): number | null {
  const handOut = sql
    .exec<{ at: number | null }>("SELECT MIN(next_attempt_at) AS at FROM outbox WHERE state = 'pending'")
    .one().at;
  const times = [handOut, ...lineHeads(sql).map((head) => head.next_attempt_at)].filter(
    (time): time is number => time !== null,
  );
  return times.length > 0 ? Math.min(...times) : null;
}

export function queueDelivery(
  sql: SqlStorage,
  event: Pick<OutboxRow, 'seq' | 'id'>,
  endpointId: string,
  at: number,
  redelivery: boolean,
): void {
  sql.exec(
    'INSERT INTO deliveries (event_seq, event_id, endpoint_id, redelivery, created_at, next_attempt_at) ' +
      'VALUES (?, ?, ?, ?, ?, ?)',
    event.seq,
    event.id,
    endpointId,
    redelivery ? 1 : 0,
    at,
    at,
  );
}

/** Gives up the pending deliveries to endpoints that no longer take them. */
export function failDeliveriesTo(sql: SqlStorage, endpointIds: readonly string[], reason: string): void {
  for (const id of endpointIds) {
    sql.exec(
      "UPDATE deliveries SET state = 'failed', last_error = ? WHERE endpoint_id = ? AND state = 'pending'",
      reason,
      id,
    );
  }
}

/** Holds back every pending delivery until `at` at least (the endpoints could not be learned). */
export function postponePending(sql: SqlStorage, at: number): void {
  sql.exec("UPDATE deliveries SET next_attempt_at = MAX(next_attempt_at, ?) WHERE state = 'pending'", at);
}

/** Holds back one endpoint's line until `at` at least (a failure of ours, not the endpoint's). */
export function postponeLine(sql: SqlStorage, endpointId: string, at: number): void {
  sql.exec(
    "UPDATE deliveries SET next_attempt_at = MAX(next_attempt_at, ?) WHERE endpoint_id = ? AND state = 'pending'",
    at,
    endpointId,
  );
}

/** Brings one endpoint's waiting deliveries forward to `at`, keeping the line's order. */
export function bringLineForward(sql: SqlStorage, endpointId: string, at: number): void {
  sql.exec(
    "UPDATE deliveries SET next_attempt_at = MIN(next_attempt_at, ?) WHERE endpoint_id = ? AND state = 'pending'",
    at,
    endpointId,
  );
}

export function isWaiting(sql: SqlStorage, eventSeq: number, endpointId: string): boolean {
  return (
    sql
      .exec(
        "SELECT 1 FROM deliveries WHERE event_seq = ? AND endpoint_id = ? AND state = 'pending'",
        eventSeq,
        endpointId,
      )
      .toArray().length > 0
  );
}

export function pendingEndpointIds(sql: SqlStorage): string[] {
  return sql
    .exec<{ endpoint_id: string }>("SELECT DISTINCT endpoint_id FROM deliveries WHERE state = 'pending'")
    .toArray()
    .map((row) => row.endpoint_id);
}

export interface AttemptRecord {
  attempted_at: number;
  status: number | null;
  error: 'timeout' | 'network_error' | null;
  latency_ms: number;
  response_excerpt: string | null;
}

/** Logs one attempt and moves its delivery: delivered, retried at `retryAt`, or failed (null). */
export function recordAttempt(
  sql: SqlStorage,
  delivery: DeliveryRow,
  attempt: AttemptRecord,
  outcome: { ok: boolean; error: string | null; retryAt: number | null },
): void {
  sql.exec(
    `INSERT INTO delivery_attempts
       (delivery_seq, event_id, endpoint_id, attempted_at, status, error, latency_ms, response_excerpt)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    delivery.seq,
    delivery.event_id,
    delivery.endpoint_id,
    attempt.attempted_at,
    attempt.status,
    attempt.error,
    attempt.latency_ms,
    attempt.response_excerpt,
  );
  const state: WebhookDeliveryState = outcome.ok ? 'delivered' : outcome.retryAt === null ? 'failed' : 'pending';
  sql.exec(
    `UPDATE deliveries SET state = ?, tries = tries + 1, first_tried_at = COALESCE(first_tried_at, ?), last_error = ?,
       delivered_at = ?, next_attempt_at = ? WHERE seq = ? AND state = 'pending'`,
    state,
    attempt.attempted_at,
    outcome.error,
    outcome.ok ? attempt.attempted_at : null,
    outcome.retryAt ?? delivery.next_attempt_at,
    delivery.seq,
  );
}

// ---- views ---------------------------------------------------------------------------------

function deliveryView(row: DeliveryRow): WebhookDelivery {
  return {
    endpoint_id: row.endpoint_id,
    state: row.state,
    redelivery: row.redelivery === 1,
    tries: row.tries,
    created_at: row.created_at,
    next_attempt_at: row.state === 'pending' ? row.next_attempt_at : null,
    last_error: row.last_error,
    delivered_at: row.delivered_at,
  };
}

/** All deliveries of an event at once; each endpoint counts by its latest delivery (a redelivery). */
function overallState(event: OutboxRow, deliveries: DeliveryRow[]): OrderEventEntry['state'] {
  if (event.state === 'pending') return 'pending';
  if (deliveries.length === 0)
    return event.state === 'delivered' || event.state === 'failed' ? event.state : 'no_endpoint';
  if (deliveries.some((delivery) => delivery.state === 'pending')) return 'pending';
  const latest = new Map(deliveries.map((delivery) => [delivery.endpoint_id, delivery.state]));
  return [...latest.values()].every((state) => state === 'delivered') ? 'delivered' : 'failed';
}

function entry(event: OutboxRow, deliveries: DeliveryRow[]): OrderEventEntry {
  return {
    seq: event.seq,
    id: event.id,
    type: event.type,
    created_at: event.created_at,
    state: overallState(event, deliveries),
    deliveries: deliveries.map(deliveryView),
    event: JSON.parse(event.body) as WebhookEvent,
  };
}

/** The order's events, oldest first, each with its deliveries. */
export function timeline(sql: SqlStorage): OrderEventEntry[] {
  const deliveries = new Map<number, DeliveryRow[]>();
  for (const row of sql.exec<DeliveryRow>('SELECT * FROM deliveries ORDER BY event_seq, seq')) {
    deliveries.set(row.event_seq, [...(deliveries.get(row.event_seq) ?? []), row]);
  }
  return sql
    .exec<OutboxRow>('SELECT * FROM outbox ORDER BY seq')
    .toArray()
    .map((event) => entry(event, deliveries.get(event.seq) ?? []));
}

export function findEvent(sql: SqlStorage, eventId: string): OutboxRow {
  const event = sql.exec<OutboxRow>('SELECT * FROM outbox WHERE id = ?', eventId).toArray()[0];
  if (!event) throw new TillError('event_not_found', 'No such event', 'id');
  return event;
}

export function timelineEntry(sql: SqlStorage, eventId: string): OrderEventEntry {
  const event = findEvent(sql, eventId);
  return entry(
    event,
    sql.exec<DeliveryRow>('SELECT * FROM deliveries WHERE event_seq = ? ORDER BY seq', event.seq).toArray(),
  );
}

/** Every attempt to deliver one event, oldest first. */
export function attemptLog(sql: SqlStorage, eventId: string): DeliveryAttempt[] {
  findEvent(sql, eventId);
  return sql
    .exec<DeliveryAttemptRow & { redelivery: number }>(
      `SELECT a.*, d.redelivery FROM delivery_attempts a JOIN deliveries d ON d.seq = a.delivery_seq
       WHERE a.event_id = ? ORDER BY a.seq`,
      eventId,
    )
    .toArray()
    .map((row) => ({
      object: 'delivery_attempt',
      event_id: row.event_id,
      endpoint_id: row.endpoint_id,
      redelivery: row.redelivery === 1,
      attempted_at: row.attempted_at,
      status: row.status,
      error: row.error,
      latency_ms: row.latency_ms,
      response_excerpt: row.response_excerpt,
    }));
}
