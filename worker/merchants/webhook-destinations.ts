/**
 * Where a merchant's events go, as order objects ask before delivering them: the endpoints of
 * the order's mode, the enabled ones with their secrets opened. Never returned by the API.
 */
import type { Mode } from '../../shared/schemas.ts';
import { now } from '../base/clock.ts';
import type { Vault } from '../base/vault.ts';
import { type MerchantRow, sealContext } from './merchant-store.ts';
import { endpointRows, endpointSealContext, type WebhookEndpointsContext } from './webhook-endpoint-rows.ts';

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

/** Every endpoint that may receive `mode`'s events, with the secrets of the enabled ones opened. */
export async function webhookDestinations(context: WebhookEndpointsContext, mode: Mode): Promise<WebhookDestination[]> {
  const merchant = context.merchant();
  const vault = await context.vault();
  const at = now();
  const destinations = endpointRows(context, mode).map(async (row): Promise<WebhookDestination | null> => {
    const url = row.is_primary === 1 ? merchant.webhook_url : row.url;
    const current = row.is_primary === 1 ? merchant.webhook_secret_sealed : row.secret_sealed;
    if (!url || !current) return null;
    const events = JSON.parse(row.enabled_events) as string[];
    const failing = row.failing_since !== null;
    if (row.status !== 'enabled') return { id: row.id, url, enabled: false, events, secrets: [], failing };
    const sealed = [current];
    if (row.previous_secret_sealed && (row.previous_secret_expires_at ?? 0) > at)
      sealed.push(row.previous_secret_sealed);
    const secrets = await Promise.all(sealed.map((value) => vault.open(value, endpointSealContext(context, row))));
    return { id: row.id, url, enabled: true, events, secrets, failing };
  });
  return (await Promise.all(destinations)).filter(
    (destination): destination is WebhookDestination => destination !== null,
  );
}

/** The webhook_url setting and its current secret, opened; null while either is missing. */
export async function primaryWebhookTarget(
  row: MerchantRow | undefined,
  vault: () => Promise<Vault>,
): Promise<{ url: string; secret: string } | null> {
  if (!row?.webhook_url || !row.webhook_secret_sealed) return null;
  return {
    url: row.webhook_url,
    secret: await (await vault()).open(row.webhook_secret_sealed, sealContext.webhookSecret(row.id)),
  };
}
