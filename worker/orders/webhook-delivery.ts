/**
 * Delivers an order's outbox to its merchant's webhook endpoint, oldest first, signed with
 * `Till-Signature: t=…,v1=…`. A failure stops the line (so events arrive in order) and
 * schedules a retry with exponential backoff for three days.
 */
import { signPayload } from '../../shared/signature.ts';
import type { Env } from '../env.ts';
import { merchantStub } from '../merchants/merchant-stub.ts';
import type { OutboxRow } from './order-store.ts';

export const SIGNATURE_HEADER = 'Till-Signature';

/** Seconds to wait after the n-th failed try; after the last, the event is given up. */
export const RETRY_SCHEDULE = [10, 60, 300, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600, 24 * 3600];

const DELIVERY_TIMEOUT_MS = 10_000;

/** When the oldest pending event is due: later events wait behind it. */
export function nextDeliveryAt(sql: SqlStorage): number | null {
  const head = sql
    .exec<{ next_attempt_at: number }>("SELECT next_attempt_at FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT 1")
    .toArray()[0];
  return head?.next_attempt_at ?? null;
}

async function post(url: string, body: string, secret: string): Promise<{ ok: boolean; detail: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Till-Webhooks/1', [SIGNATURE_HEADER]: await signPayload(body, secret) },
      body,
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    // Read a little of the answer for the delivery log; never more.
    const excerpt = (await response.text()).slice(0, 200);
    return { ok: response.ok, detail: `HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}` };
  } catch (error) {
    return { ok: false, detail: (error as Error)?.name === 'TimeoutError' ? 'timed out' : 'network error' };
  }
}

/**
 * Runs from the order's alarm. Each event is marked in its own small write after its POST,
 * so a request arriving during the POST only ever appends after it.
 */
export async function deliverPendingEvents(
  env: Env,
  sql: SqlStorage,
  storage: DurableObjectStorage,
  merchantId: string,
): Promise<void> {
  const pending = sql.exec<OutboxRow>("SELECT * FROM outbox WHERE state = 'pending' ORDER BY seq").toArray();
  if (pending.length === 0) return;
  const target = await merchantStub(env, merchantId).webhookTarget();
  const at = () => Math.floor(Date.now() / 1000);
  for (const event of pending) {
    // The head waits for its retry time, and every later event waits behind it.
    if (target && event.next_attempt_at > at()) return;
    if (!target) {
      sql.exec("UPDATE outbox SET state = 'no_endpoint' WHERE seq = ? AND state = 'pending'", event.seq);
      continue;
    }
    const result = await post(target.url, event.body, target.secret);
    if (result.ok) {
      storage.transactionSync(() =>
        sql.exec(
          "UPDATE outbox SET state = 'delivered', tries = tries + 1, delivered_at = ?, last_error = NULL WHERE seq = ? AND state = 'pending'",
          at(),
          event.seq,
        ),
      );
      continue;
    }
    const delay = RETRY_SCHEDULE[event.tries];
    sql.exec(
      `UPDATE outbox SET tries = tries + 1, last_error = ?, state = ?, next_attempt_at = ? WHERE seq = ? AND state = 'pending'`,
      result.detail,
      delay === undefined ? 'failed' : 'pending',
      at() + (delay ?? 0),
      event.seq,
    );
    // Keep per-order ordering: later events wait for this one.
    if (delay !== undefined) return;
  }
}
