/**
 * Delivers an order's events to its merchant's webhook endpoints, from the order's alarm.
 *
 * The first time the alarm handles an event it asks the merchant object (one RPC) for the
 * endpoints of the order's mode and queues one delivery per enabled endpoint whose filter takes
 * the event: who receives an event is decided once, so a later filter change neither re-sends
 * nor drops it. Each endpoint's deliveries go oldest event first; a failure holds back only that
 * endpoint's later events, retried on a fixed exponential schedule for three days. Every HTTP
 * attempt is logged, and each run's outcome per endpoint goes to the merchant object, which
 * disables an endpoint that has failed for three days.
 */
import { TillError } from '../../shared/errors.ts';
import type { OrderEventEntry } from '../../shared/schemas.ts';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '../../shared/webhook-signature.ts';
import { now } from '../base/clock.ts';
import type { Env } from '../base/env.ts';
import { signingKeys } from '../base/keys.ts';
import { merchantStub } from '../base/merchant-stub.ts';
import { nextRetryAt } from '../base/webhook-retry.ts';
import type { WebhookDestination } from '../merchants/webhook-destinations.ts';
import type { WebhookHealthReport } from '../merchants/webhook-endpoint-health.ts';
import {
  type AttemptRecord,
  bringLineForward,
  eventsToHandOut,
  failDeliveriesTo,
  findEvent,
  headOf,
  isWaiting,
  lineHeads,
  pendingEndpointIds,
  postponeLine,
  postponePending,
  queueDelivery,
  recordAttempt,
  timelineEntry,
} from './delivery-store.ts';
import type { OrderRow, OutboxRow } from './order-store.ts';
import { Outbox } from './outbox.ts';

const DELIVERY_TIMEOUT_MS = 10_000;
const EXCERPT_CHARS = 200;
/** The merchant object could not say where to deliver: look again this much later, spending no try. */
const UNREACHABLE_RETRY_SECONDS = 30;

const takes = (destination: WebhookDestination, event: Pick<OutboxRow, 'type'>): boolean =>
  destination.events.includes('*') || destination.events.includes(event.type);

/** The first characters of the endpoint's answer, read no further than needed. */
async function readExcerpt(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    // Four bytes per character at most: enough for EXCERPT_CHARS characters of any UTF-8.
    while (size < EXCERPT_CHARS * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // A body that breaks off still leaves what arrived.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(bytes).slice(0, EXCERPT_CHARS);
}

interface PostResult extends AttemptRecord {
  ok: boolean;
  /** Why it failed, for the delivery's `last_error` and the endpoint's health; null on success. */
  detail: string | null;
}

async function post(url: string, body: string, signature: string): Promise<PostResult> {
  const attempted_at = now();
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Till-Webhooks/1',
        [WEBHOOK_SIGNATURE_HEADER]: signature,
      },
      body,
      // A redirect is not an acknowledgement: the event must reach the URL the merchant gave.
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    const latency_ms = latency();
    const excerpt = await readExcerpt(response);
    const ok = response.status >= 200 && response.status < 300;
    const detail = ok ? null : `HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`;
    return {
      attempted_at,
      status: response.status,
      error: null,
      latency_ms,
      response_excerpt: excerpt || null,
      ok,
      detail,
    };
  } catch (error) {
    const timedOut = (error as Error)?.name === 'TimeoutError';
    const detail = timedOut ? 'timed out' : 'network error';
    return {
      attempted_at,
      status: null,
      error: timedOut ? 'timeout' : 'network_error',
      latency_ms: latency(),
      response_excerpt: null,
      ok: false,
      detail,
    };
  }
}

/**
 * Hands out the events not handed out yet (the fan-out), and stops pending deliveries to
 * endpoints that no longer take them (disabled, deleted, or the primary's URL removed).
 */
function handOut(sql: SqlStorage, destinations: readonly WebhookDestination[], at: number): void {
  const enabled = destinations.filter((destination) => destination.enabled);
  for (const event of eventsToHandOut(sql, at)) {
    const targets = enabled.filter((destination) => takes(destination, event));
    for (const target of targets) queueDelivery(sql, event, target.id, at, false);
    new Outbox(sql).markHandedOut(event.seq, targets.length > 0 ? 'dispatched' : 'no_endpoint');
  }
  const open = new Set(enabled.map((destination) => destination.id));
  const known = new Set(destinations.map((destination) => destination.id));
  const stopped = pendingEndpointIds(sql).filter((id) => !open.has(id));
  failDeliveriesTo(
    sql,
    stopped.filter((id) => known.has(id)),
    'the endpoint was disabled',
  );
  failDeliveriesTo(
    sql,
    stopped.filter((id) => !known.has(id)),
    'the endpoint was deleted or has no URL',
  );
}

/**
 * Works through one endpoint's line while its head is due. Each attempt is recorded in its own
 * small write after its POST, so a request arriving during the POST only ever appends after it.
 */
async function deliverLine(
  env: Env,
  storage: DurableObjectStorage,
  destination: WebhookDestination,
): Promise<WebhookHealthReport | null> {
  const sql = storage.sql;
  let report: WebhookHealthReport | null = null;
  for (;;) {
    const head = headOf(sql, destination.id);
    if (!head || head.next_attempt_at > now()) return report;
    const { body } = sql.exec<{ body: string }>('SELECT body FROM outbox WHERE seq = ?', head.event_seq).one();
    // A fresh timestamp on every try, so a retry days later still passes the receiver's window. The
    // Ed25519 signature names this endpoint, so the delivery verifies nowhere else.
    const signature = await signWebhook(body, {
      endpointId: destination.id,
      secrets: destination.secrets,
      key: signingKeys(env).current,
      timestamp: now(),
    });
    const result = await post(destination.url, body, signature);
    const retryAt = result.ok ? null : nextRetryAt(head.first_tried_at ?? result.attempted_at, head.tries + 1, now());
    storage.transactionSync(() => recordAttempt(sql, head, result, { ok: result.ok, error: result.detail, retryAt }));
    report = { endpoint_id: destination.id, ok: result.ok, error: result.detail, attempted_at: result.attempted_at };
    // The head waits for its retry time, and this endpoint's later events wait behind it.
    if (!result.ok && retryAt !== null) return report;
  }
}

/** Runs from the order's alarm. */
export async function deliverPendingEvents(
  env: Env,
  sql: SqlStorage,
  storage: DurableObjectStorage,
  merchantId: string,
): Promise<void> {
  const at = now();
  const due = lineHeads(sql).some((head) => head.next_attempt_at <= at);
  if (!due && eventsToHandOut(sql, at).length === 0) return;
  const { mode } = sql.exec<Pick<OrderRow, 'mode'>>('SELECT mode FROM orders').one();
  const merchant = merchantStub(env, merchantId);
  let destinations: WebhookDestination[];
  try {
    destinations = await merchant.webhookDestinations(mode);
  } catch (error) {
    console.warn('webhook endpoints could not be read; delivering later', {
      merchant: merchantId,
      error: (error as Error)?.name,
    });
    const later = at + UNREACHABLE_RETRY_SECONDS;
    new Outbox(sql).postponeHandOut(later);
    postponePending(sql, later);
    return;
  }
  storage.transactionSync(() => handOut(sql, destinations, now()));

  const lines = new Set(pendingEndpointIds(sql));
  const active = destinations.filter((destination) => destination.enabled && lines.has(destination.id));
  // Endpoints are independent: a slow one does not delay the others.
  const lineOf = async (destination: WebhookDestination): Promise<WebhookHealthReport | null> => {
    try {
      return await deliverLine(env, storage, destination);
    } catch (error) {
      // Not the endpoint's fault (signing failed, say): look again later, spending no try.
      console.error('webhook delivery failed before sending', {
        endpoint: destination.id,
        error: (error as Error)?.name,
      });
      postponeLine(sql, destination.id, now() + UNREACHABLE_RETRY_SECONDS);
      return null;
    }
  };
  // A success changes nothing at the merchant unless it ends a run of failures: only news is sent.
  const failing = new Set(active.filter((destination) => destination.failing).map((destination) => destination.id));
  const reports = (await Promise.all(active.map(lineOf))).filter(
    (report): report is WebhookHealthReport => report !== null && (!report.ok || failing.has(report.endpoint_id)),
  );
  if (reports.length === 0) return;
  try {
    const disabled = await merchant.reportWebhookHealth(reports);
    if (disabled.length > 0)
      storage.transactionSync(() => failDeliveriesTo(sql, disabled, 'the endpoint was disabled'));
  } catch (error) {
    // Health is advisory: a failure is reported again by its next try; a lost run-ending success
    // leaves a stale run that the next failure, after a quiet longer than any retry gap, replaces.
    console.warn('webhook health report failed', { merchant: merchantId, error: (error as Error)?.name });
  }
}

/**
 * Queues a fresh delivery of one event to one endpoint, or to every enabled endpoint taking it,
 * whatever became of earlier deliveries. It also brings the endpoint's waiting deliveries of this
 * order forward to now: whoever asks for a redelivery says the endpoint is ready, and the line
 * keeps its order. An event not handed out yet is on its way already and is left as it is.
 */
export async function queueRedelivery(
  env: Env,
  storage: DurableObjectStorage,
  order: Pick<OrderRow, 'merchant_id' | 'mode'>,
  eventId: string,
  endpointId: string | null,
): Promise<OrderEventEntry> {
  const sql = storage.sql;
  const event = findEvent(sql, eventId);
  if (event.state === 'pending') return timelineEntry(sql, eventId);
  const destinations = await merchantStub(env, order.merchant_id).webhookDestinations(order.mode);
  let targets: WebhookDestination[];
  if (endpointId !== null) {
    const destination = destinations.find((candidate) => candidate.id === endpointId);
    if (!destination)
      throw new TillError('webhook_endpoint_not_found', `No such ${order.mode} webhook endpoint`, 'endpoint_id');
    if (!destination.enabled)
      throw new TillError(
        'webhook_endpoint_disabled',
        'This webhook endpoint is disabled: enable it first',
        'endpoint_id',
      );
    if (!takes(destination, event)) {
      throw new TillError(
        'invalid_parameter',
        `This endpoint does not receive ${event.type} events (see its enabled_events)`,
        'endpoint_id',
      );
    }
    targets = [destination];
  } else {
    targets = destinations.filter((destination) => destination.enabled && takes(destination, event));
    if (targets.length === 0)
      throw new TillError(
        'webhook_endpoint_not_found',
        `No enabled webhook endpoint receives ${event.type} events`,
        'endpoint_id',
      );
  }
  const at = now();
  storage.transactionSync(() => {
    for (const target of targets) {
      if (!isWaiting(sql, event.seq, target.id)) queueDelivery(sql, event, target.id, at, true);
      bringLineForward(sql, target.id, at);
    }
  });
  return timelineEntry(sql, eventId);
}
