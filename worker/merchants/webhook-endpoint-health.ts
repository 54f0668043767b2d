/**
 * How a merchant's webhook endpoints are faring. Order objects report how their deliveries went;
 * an endpoint failing for three days is disabled here, with the reason the merchant reads in the
 * API. Synchronous, so the merchant object runs each change inside one transaction.
 */
import { now } from '../base/clock.ts';
import { RETRY_MAX_DELAY_SECONDS } from '../base/webhook-retry.ts';
import { iso, type WebhookEndpointRow } from './webhook-endpoint-rows.ts';

/** An endpoint whose deliveries have all failed this long is disabled. */
const DISABLE_AFTER_SECONDS = 3 * 24 * 3600;
/** Failures further apart than the longest retry gap (plus slack) belong to different runs. */
const RUN_GAP_SECONDS = RETRY_MAX_DELAY_SECONDS + 3600;

/** How one order's alarm run went for one endpoint: its last try's outcome. */
export interface WebhookHealthReport {
  endpoint_id: string;
  ok: boolean;
  error: string | null;
  /** When that try was made (Unix seconds): a run of failures is timed by its tries, not by when they were reported. */
  attempted_at: number;
}

/** The webhook_url setting changed: its endpoint starts afresh, enabled and with no failures. */
export function resetPrimaryHealth(sql: SqlStorage): void {
  sql.exec(
    'UPDATE webhook_endpoints SET status = ?, disabled_reason = NULL, ' +
      'failing_since = NULL, last_error = NULL WHERE is_primary = 1',
    'enabled',
  );
}

/** Enabled again by the merchant: no failures behind it. */
export function clearHealth(sql: SqlStorage, id: string): void {
  sql.exec(
    "UPDATE webhook_endpoints SET status = 'enabled', disabled_reason = NULL, " +
      'failing_since = NULL, last_error = NULL WHERE id = ?',
    id,
  );
}

/**
 * Records each endpoint's latest outcome: a success ends its run of failures; a failure starts
 * one, or disables the endpoint once the run has lasted three days. Returns the endpoints that
 * are disabled now, so the reporting order stops delivering to them at once.
 */
export function reportWebhookHealth(storage: DurableObjectStorage, reports: readonly WebhookHealthReport[]): string[] {
  const sql = storage.sql;
  const at = now();
  const disabled: string[] = [];
  storage.transactionSync(() => {
    for (const report of reports) {
      const row = sql
        .exec<WebhookEndpointRow>('SELECT * FROM webhook_endpoints WHERE id = ?', report.endpoint_id)
        .toArray()[0];
      if (!row) continue;
      if (row.status !== 'enabled') {
        disabled.push(row.id);
      } else if (report.ok) {
        // A success older than the run's first failure says nothing about the run.
        if (row.failing_since !== null && report.attempted_at >= row.failing_since) {
          sql.exec('UPDATE webhook_endpoints SET failing_since = NULL, last_error = NULL WHERE id = ?', row.id);
        }
      } else {
        const tried = Math.min(report.attempted_at, at);
        // A run goes on while failures keep coming within the longest retry gap; a failure after
        // a longer quiet (an unreported success may lie in between) starts a new run.
        const goesOn =
          row.failing_since !== null && row.last_failed_at !== null && tried - row.last_failed_at <= RUN_GAP_SECONDS;
        const since = goesOn ? (row.failing_since as number) : tried;
        const error = (report.error ?? 'failed').slice(0, 300);
        sql.exec(
          'UPDATE webhook_endpoints SET failing_since = ?, ' +
            'last_failed_at = MAX(COALESCE(last_failed_at, 0), ?), last_error = ? WHERE id = ?',
          since,
          tried,
          error,
          row.id,
        );
        // Timed by the tries themselves: a report that arrives late does not lengthen the run.
        if (tried - since >= DISABLE_AFTER_SECONDS) {
          const reason =
            `Disabled by Till at ${iso(at)}: ` +
            `every delivery failed since ${iso(since)} (3 days); last error: ${error}`;
          sql.exec(
            "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = ? WHERE id = ?",
            reason,
            row.id,
          );
          console.warn('webhook endpoint disabled after three days of failures', { endpoint: row.id });
          disabled.push(row.id);
        }
      }
    }
  });
  return disabled;
}
