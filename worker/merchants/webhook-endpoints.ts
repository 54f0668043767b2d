/**
 * A merchant's webhook endpoints as the API manages them: per mode, each with its own event filter
 * and sealed secret, plus the primary endpoint — the `webhook_url` setting signed with the
 * merchant's webhook secret — which receives every event of both modes. Where events go
 * (webhook-destinations.ts) and how endpoints fare (webhook-endpoint-health.ts) live beside it.
 */
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
import { newWebhookSecret } from './api-keys.ts';
import { sealContext } from './merchant-store.ts';
import { clearHealth } from './webhook-endpoint-health.ts';
import {
  endpointRow,
  endpointRows,
  endpointSealContext,
  endpointView,
  iso,
  newWebhookEndpointId,
  type WebhookEndpointRow,
  type WebhookEndpointsContext,
} from './webhook-endpoint-rows.ts';

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

  private get(mode: Mode, id: string): WebhookEndpointRow {
    return endpointRow(this.context, mode, id);
  }

  list(mode: Mode): WebhookEndpoint[] {
    return endpointRows(this.context, mode).map((row) => endpointView(this.context, row));
  }

  retrieve(mode: Mode, id: string): WebhookEndpoint {
    return endpointView(this.context, this.get(mode, id));
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
      if (patch.status === 'enabled') clearHealth(this.sql, id);
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
    const sealed = await (await this.context.vault()).seal(secret, endpointSealContext(this.context, before));
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
}
