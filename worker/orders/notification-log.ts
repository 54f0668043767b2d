/**
 * What the order heard from its channels, and the only code that writes it: `channel_events`
 * (the event ids already applied, so a resent notification changes nothing twice) and
 * `channel_notifications` (every verified notification with what Till made of it, for the
 * operator). Never a body, a signature or a header: only ids, an outcome and a short reason.
 * Synchronous, for the order object's transactions.
 */
import type {
  ChannelNotification,
  ChannelNotificationOutcome,
  ChannelNotificationReason,
} from '../../shared/schemas.ts';

/** A reason longer than this is cut: the log is read by people, not parsed. */
const MAX_REASON = 200;

export interface NotificationEntry {
  receivedAt: number;
  channel: string;
  eventId: string | null;
  attemptId: string | null;
  outcome: ChannelNotificationOutcome;
  reasonCode: ChannelNotificationReason | null;
  reason: string | null;
}

interface NotificationRow extends Record<string, SqlStorageValue> {
  seq: number;
  received_at: number;
  channel: string;
  event_id: string | null;
  attempt_id: string | null;
  outcome: ChannelNotificationOutcome;
  reason_code: ChannelNotificationReason | null;
  reason: string | null;
}

export class NotificationLog {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  /** Whether an event was applied before (a resent notification). */
  seen(eventId: string): boolean {
    return this.sql.exec('SELECT 1 FROM channel_events WHERE event_id = ?', eventId).toArray().length > 0;
  }

  /** Remembers an applied event, so its resends change nothing. */
  remember(eventId: string, attemptId: string, at: number): void {
    this.sql.exec(
      'INSERT INTO channel_events (event_id, attempt_id, received_at) VALUES (?, ?, ?)',
      eventId,
      attemptId,
      at,
    );
  }

  record(entry: NotificationEntry): void {
    this.sql.exec(
      `INSERT INTO channel_notifications (received_at, channel, event_id, attempt_id, outcome, reason_code, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      entry.receivedAt,
      entry.channel,
      entry.eventId,
      entry.attemptId,
      entry.outcome,
      entry.reasonCode,
      entry.reason === null ? null : entry.reason.slice(0, MAX_REASON),
    );
  }

  /** The log, oldest first. */
  list(orderId: string): ChannelNotification[] {
    return this.sql
      .exec<NotificationRow>('SELECT * FROM channel_notifications ORDER BY seq')
      .toArray()
      .map((row) => ({
        object: 'channel_notification',
        order_id: orderId,
        channel: row.channel,
        received_at: row.received_at,
        event_id: row.event_id,
        attempt_id: row.attempt_id,
        outcome: row.outcome,
        reason_code: row.reason_code,
        reason: row.reason,
      }));
  }
}
