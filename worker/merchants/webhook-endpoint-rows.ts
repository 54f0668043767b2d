/**
 * The rows of a merchant's webhook endpoints and what every use of them shares: which endpoints a
 * key of one mode sees, how an endpoint reads in the API, and where each endpoint's secret is
 * sealed. The primary endpoint stands for the `webhook_url` setting, signed with the merchant's
 * webhook secret, and serves both modes.
 */
import { randomBase62 } from '../../shared/encoding.ts';
import { TillError } from '../../shared/errors.ts';
import type { Mode, WebhookEndpoint } from '../../shared/schemas.ts';
import { now } from '../base/clock.ts';
import type { Vault } from '../base/vault.ts';
import { type MerchantRow, sealContext } from './merchant-store.ts';

export const iso = (unix: number): string => new Date(unix * 1000).toISOString().replace('.000Z', 'Z');

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

export const newWebhookEndpointId = (): string => `we_${randomBase62(24)}`;

/** The primary endpoint's row for a merchant being created, inside its transaction. */
export function insertPrimaryEndpoint(sql: SqlStorage, createdAt: number): void {
  sql.exec(
    'INSERT INTO webhook_endpoints (id, is_primary, created_at) VALUES (?, 1, ?)',
    newWebhookEndpointId(),
    createdAt,
  );
}

/** What the merchant object lends the endpoint modules. */
export interface WebhookEndpointsContext {
  storage: DurableObjectStorage;
  vault: () => Promise<Vault>;
  merchant: () => MerchantRow;
  /** Throws when this caller may not change what both modes share (the primary endpoint). */
  assertMayChangeShared: (caller: Mode) => void;
}

/** The endpoints a key of `mode` sees: the primary (while a webhook_url is set) and the mode's own. */
export function endpointRows(context: WebhookEndpointsContext, mode: Mode): WebhookEndpointRow[] {
  const hasUrl = context.merchant().webhook_url ? 1 : 0;
  return context.storage.sql
    .exec<WebhookEndpointRow>(
      'SELECT * FROM webhook_endpoints WHERE mode = ? OR (is_primary = 1 AND ? = 1) ' +
        'ORDER BY is_primary DESC, created_at, id',
      mode,
      hasUrl,
    )
    .toArray();
}

export function endpointRow(context: WebhookEndpointsContext, mode: Mode, id: string): WebhookEndpointRow {
  const row = endpointRows(context, mode).find((candidate) => candidate.id === id);
  if (!row) throw new TillError('webhook_endpoint_not_found', `No such ${mode} webhook endpoint`, 'id');
  return row;
}

export function endpointView(context: WebhookEndpointsContext, row: WebhookEndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    object: 'webhook_endpoint',
    mode: row.mode,
    primary: row.is_primary === 1,
    url: (row.is_primary === 1 ? context.merchant().webhook_url : row.url) ?? '',
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

/** The primary endpoint's secrets are the merchant's webhook secret, sealed in its place. */
export function endpointSealContext(context: WebhookEndpointsContext, row: WebhookEndpointRow): string {
  const merchantId = context.merchant().id;
  return row.is_primary === 1 ? sealContext.webhookSecret(merchantId) : sealContext.webhookEndpoint(merchantId, row.id);
}
