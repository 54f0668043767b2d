/**
 * A merchant's webhook endpoints, kept in its object: per mode, each with its own event filter and
 * sealed secret, plus the primary endpoint — the `webhook_url` setting signed with the merchant's
 * webhook secret — which receives every event of both modes. Order objects ask for the
 * destinations of their mode (secrets opened) and report how their deliveries went; an endpoint
 * failing for three days is disabled here, with the reason the merchant reads in the API.
 */
import { randomBase62 } from '../../shared/encoding.ts';
import { TillError } from '../../shared/errors.ts';
import {
  type CreateWebhookEndpointRequest,
  type DeletedWebhookEndpoint,
  MAX_WEBHOOK_ENDPOINTS,
  type Mode,
  type UpdateWebhookEndpointRequest,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
} from '../../shared/schemas.ts';
import { now } from '../base/clock.ts';
import type { Vault } from '../base/vault.ts';
import { RETRY_MAX_DELAY_SECONDS } from '../base/webhook-retry.ts';
import { newWebhookSecret } from './api-keys.ts';
import { type MerchantRow, sealContext } from './merchant-store.ts';

const iso = (unix: number): string => new Date(unix * 1000).toISOString().replace('.000Z', 'Z');

/** An endpoint whose deliveries have all failed this long is disabled. */
export const DISABLE_AFTER_SECONDS = 3 * 24 * 3600;
/** Failures further apart than the longest retry gap (plus slack) belong to different runs. */
const RUN_GAP_SECONDS = RETRY_MAX_DELAY_SECONDS + 3600;

export interface WebhookEndpointRow extends Record<string, SqlStorageValue> {
  id: string;
  /** Null for the primary endpoint, which serves both modes. */
  mode: Mode | null;
  is_primary: number;
  /** Null for the primary endpoint: the merchant's webhook_url is its URL. */
  url: string | null;
  description: string | null;
  enabled_events: string;
  /** Null for the primary endpoint: the merchant's webhook secret signs for it. */
  secret_sealed: string | null;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: number | null;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  failing_since: number | null;
  last_failed_at: number | null;
  last_error: string | null;
  created_at: number;
}

/** What an order object needs to deliver to an endpoint; a disabled one comes without secrets. */
export interface WebhookDestination {
  id: string;
  url: string;
  enabled: boolean;
  /** Event types, or `*`. */
  events: string[];
  /** The current secret first, then a rolled one still in its grace period. */
  secrets: string[];
  /** In a run of failures: a success must be reported to end it. */
  failing: boolean;
}

/** How one order's alarm run went for one endpoint: its last try's outcome. */
export interface WebhookHealthReport {
  endpoint_id: string;
  ok: boolean;
  error: string | null;
  /** When that try was made (Unix seconds): a run of failures is timed by its tries, not by when they were reported. */
  attempted_at: number;
}

export const newWebhookEndpointId = (): string => `we_${randomBase62(24)}`;

/** The primary endpoint's row for a merchant being created, inside its transaction. */
export function insertPrimaryEndpoint(sql: SqlStorage, createdAt: number): void {
  sql.exec(
    'INSERT INTO webhook_endpoints (id, is_primary, created_at) VALUES (?, 1, ?)',
    newWebhookEndpointId(),
    createdAt,
  );
}

export interface WebhookEndpointsContext {
  storage: DurableObjectStorage;
  vault: () => Promise<Vault>;
  merchant: () => MerchantRow;
  /** Throws when this caller may not change what both modes share (the primary endpoint). */
  assertMayChangeShared: (caller: Mode) => void;
}

function requireHttpsInLive(mode: Mode | null, url: string | undefined): void {
  if (mode === 'live' && url !== undefined && !url.startsWith('https://')) {
    throw new TillError('invalid_parameter', 'A live webhook endpoint must use https', 'url');
  }
}

export class WebhookEndpoints {
  private readonly context: WebhookEndpointsContext;

  constructor(context: WebhookEndpointsContext) {
    this.context = context;
  }

  private get sql(): SqlStorage {
    return this.context.storage.sql;
  }

  /** The endpoints a key of `mode` sees: the primary (while a webhook_url is set) and the mode's own. */
  private rows(mode: Mode): WebhookEndpointRow[] {
    const hasUrl = this.context.merchant().webhook_url ? 1 : 0;
    return this.sql
      .exec<WebhookEndpointRow>(
        'SELECT * FROM webhook_endpoints WHERE mode = ? OR (is_primary = 1 AND ? = 1) ' +
          'ORDER BY is_primary DESC, created_at, id',
        mode,
        hasUrl,
      )
      .toArray();
  }

  private get(mode: Mode, id: string): WebhookEndpointRow {
    const row = this.rows(mode).find((candidate) => candidate.id === id);
    if (!row) throw new TillError('webhook_endpoint_not_found', `No such ${mode} webhook endpoint`, 'id');
    return row;
  }

  private view(row: WebhookEndpointRow): WebhookEndpoint {
    return {
      id: row.id,
      object: 'webhook_endpoint',
      mode: row.mode,
      primary: row.is_primary === 1,
      url: (row.is_primary === 1 ? this.context.merchant().webhook_url : row.url) ?? '',
      description: row.description,
      enabled_events: JSON.parse(row.enabled_events) as WebhookEndpoint['enabled_events'],
      status: row.status,
      disabled_reason: row.disabled_reason,
      failing_since: row.failing_since,
      last_error: row.last_error,
      previous_secret_expires_at:
        row.previous_secret_expires_at !== null && row.previous_secret_expires_at > now()
          ? row.previous_secret_expires_at
          : null,
      created_at: row.created_at,
    };
  }

  private sealContextOf(row: WebhookEndpointRow): string {
    const merchantId = this.context.merchant().id;
    return row.is_primary === 1
      ? sealContext.webhookSecret(merchantId)
      : sealContext.webhookEndpoint(merchantId, row.id);
  }

  list(mode: Mode): WebhookEndpoint[] {
    return this.rows(mode).map((row) => this.view(row));
  }

  retrieve(mode: Mode, id: string): WebhookEndpoint {
    return this.view(this.get(mode, id));
  }

  async create(mode: Mode, request: CreateWebhookEndpointRequest): Promise<WebhookEndpointWithSecret> {
    const merchant = this.context.merchant();
    requireHttpsInLive(mode, request.url);
    const id = newWebhookEndpointId();
    const secret = newWebhookSecret();
    const sealed = await (await this.context.vault()).seal(secret, sealContext.webhookEndpoint(merchant.id, id));
    this.context.storage.transactionSync(() => {
      const count = this.sql
        .exec<{ n: number }>('SELECT COUNT(*) AS n FROM webhook_endpoints WHERE mode = ?', mode)
        .one().n;
      if (count >= MAX_WEBHOOK_ENDPOINTS) {
        throw new TillError(
          'too_many_webhook_endpoints',
          `A mode may have at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints: delete one first`,
        );
      }
      this.sql.exec(
        `INSERT INTO webhook_endpoints (id, mode, url, description, enabled_events, secret_sealed, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        id,
        mode,
        request.url,
        request.description ?? null,
        JSON.stringify(request.enabled_events),
        sealed,
        now(),
      );
    });
    return { ...this.retrieve(mode, id), secret };
  }

  update(caller: Mode, id: string, patch: UpdateWebhookEndpointRequest): WebhookEndpoint {
    this.context.storage.transactionSync(() => {
      const row = this.get(caller, id);
      if (row.is_primary === 1) {
        const fixed = (['url', 'description', 'enabled_events'] as const).find((field) => patch[field] !== undefined);
        if (fixed) {
          throw new TillError(
            'invalid_parameter',
            'The primary endpoint is your webhook_url setting and receives every event: ' +
              'change its URL with POST /v1/merchant, or create another endpoint',
            fixed,
          );
        }
        this.context.assertMayChangeShared(caller);
      }
      requireHttpsInLive(row.mode, patch.url);
      if (patch.url !== undefined) this.sql.exec('UPDATE webhook_endpoints SET url = ? WHERE id = ?', patch.url, id);
      if (patch.description !== undefined)
        this.sql.exec('UPDATE webhook_endpoints SET description = ? WHERE id = ?', patch.description, id);
      if (patch.enabled_events !== undefined) {
        this.sql.exec(
          'UPDATE webhook_endpoints SET enabled_events = ? WHERE id = ?',
          JSON.stringify(patch.enabled_events),
          id,
        );
      }
      if (patch.status === 'enabled') this.clearHealth(id);
      if (patch.status === 'disabled' && row.status === 'enabled') {
        this.sql.exec(
          "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = ? WHERE id = ?",
          `Disabled by you at ${iso(now())}`,
          id,
        );
      }
    });
    return this.retrieve(caller, id);
  }

  delete(mode: Mode, id: string): DeletedWebhookEndpoint {
    this.context.storage.transactionSync(() => {
      if (this.get(mode, id).is_primary === 1) {
        throw new TillError(
          'invalid_parameter',
          'The primary endpoint is your webhook_url setting: remove it with POST /v1/merchant {"webhook_url": null}',
          'id',
        );
      }
      this.sql.exec('DELETE FROM webhook_endpoints WHERE id = ?', id);
    });
    return { id, object: 'webhook_endpoint', deleted: true };
  }

  /** A new secret; the old one also signs for `expiresIn` seconds more, so receivers can switch. */
  async rollSecret(caller: Mode, id: string, expiresIn: number): Promise<WebhookEndpointWithSecret> {
    const before = this.get(caller, id);
    if (before.is_primary === 1) this.context.assertMayChangeShared(caller);
    const secret = newWebhookSecret();
    const sealed = await (await this.context.vault()).seal(secret, this.sealContextOf(before));
    this.context.storage.transactionSync(() => {
      // Read again: whatever secret is current now (another roll may have landed) becomes the previous one.
      const row = this.get(caller, id);
      let old: string | null;
      if (row.is_primary === 1) {
        this.context.assertMayChangeShared(caller);
        old = this.context.merchant().webhook_secret_sealed;
        this.sql.exec('UPDATE merchant SET webhook_secret_sealed = ?', sealed);
      } else {
        old = row.secret_sealed;
        this.sql.exec('UPDATE webhook_endpoints SET secret_sealed = ? WHERE id = ?', sealed, id);
      }
      const keep = expiresIn > 0 && old !== null;
      this.sql.exec(
        'UPDATE webhook_endpoints SET previous_secret_sealed = ?, previous_secret_expires_at = ? WHERE id = ?',
        keep ? old : null,
        keep ? now() + expiresIn : null,
        id,
      );
    });
    return { ...this.retrieve(caller, id), secret };
  }

  /** The webhook_url setting changed: its endpoint starts afresh, enabled and with no failures. */
  resetPrimary(): void {
    this.sql.exec(
      'UPDATE webhook_endpoints SET status = ?, disabled_reason = NULL, ' +
        'failing_since = NULL, last_error = NULL WHERE is_primary = 1',
      'enabled',
    );
  }

  private clearHealth(id: string): void {
    this.sql.exec(
      "UPDATE webhook_endpoints SET status = 'enabled', disabled_reason = NULL, " +
        'failing_since = NULL, last_error = NULL WHERE id = ?',
      id,
    );
  }

  /** Every endpoint that may receive `mode`'s events, with the secrets of the enabled ones opened. */
  async destinations(mode: Mode): Promise<WebhookDestination[]> {
    const merchant = this.context.merchant();
    const vault = await this.context.vault();
    const at = now();
    const destinations = this.rows(mode).map(async (row): Promise<WebhookDestination | null> => {
      const url = row.is_primary === 1 ? merchant.webhook_url : row.url;
      const current = row.is_primary === 1 ? merchant.webhook_secret_sealed : row.secret_sealed;
      if (!url || !current) return null;
      const events = JSON.parse(row.enabled_events) as string[];
      const failing = row.failing_since !== null;
      if (row.status !== 'enabled') return { id: row.id, url, enabled: false, events, secrets: [], failing };
      const sealed = [current];
      if (row.previous_secret_sealed && (row.previous_secret_expires_at ?? 0) > at)
        sealed.push(row.previous_secret_sealed);
      const secrets = await Promise.all(sealed.map((value) => vault.open(value, this.sealContextOf(row))));
      return { id: row.id, url, enabled: true, events, secrets, failing };
    });
    return (await Promise.all(destinations)).filter(
      (destination): destination is WebhookDestination => destination !== null,
    );
  }

  /**
   * Records each endpoint's latest outcome: a success ends its run of failures; a failure starts
   * one, or disables the endpoint once the run has lasted three days. Returns the endpoints that
   * are disabled now, so the reporting order stops delivering to them at once.
   */
  report(reports: readonly WebhookHealthReport[]): string[] {
    const at = now();
    const disabled: string[] = [];
    this.context.storage.transactionSync(() => {
      for (const report of reports) {
        const row = this.sql
          .exec<WebhookEndpointRow>('SELECT * FROM webhook_endpoints WHERE id = ?', report.endpoint_id)
          .toArray()[0];
        if (!row) continue;
        if (row.status !== 'enabled') {
          disabled.push(row.id);
        } else if (report.ok) {
          // A success older than the run's first failure says nothing about the run.
          if (row.failing_since !== null && report.attempted_at >= row.failing_since) {
            this.sql.exec('UPDATE webhook_endpoints SET failing_since = NULL, last_error = NULL WHERE id = ?', row.id);
          }
        } else {
          const tried = Math.min(report.attempted_at, at);
          // A run goes on while failures keep coming within the longest retry gap; a failure after
          // a longer quiet (an unreported success may lie in between) starts a new run.
          const goesOn =
            row.failing_since !== null && row.last_failed_at !== null && tried - row.last_failed_at <= RUN_GAP_SECONDS;
          const since = goesOn ? (row.failing_since as number) : tried;
          const error = (report.error ?? 'failed').slice(0, 300);
          this.sql.exec(
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
            this.sql.exec(
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
}
