/**
 * Merchant webhook receivers and a movable clock for the webhook tests.
 *
 * Time: the tests fake `Date` only (vi.useFakeTimers({ toFake: ['Date'] })). The Durable Objects
 * run in the test's isolate, so the order and merchant objects read the same clock, and every
 * stored time (retry times, failing_since, signature timestamps) follows it without rewriting
 * storage. The clock starts an hour ahead of the real one, so every alarm the objects set lies in
 * the real future and never fires on its own: `runUntil` plays the platform, running each alarm
 * through runDurableObjectAlarm once the fake clock has reached it.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { vi } from 'vitest';
import type { WebhookEndpointWithSecret, WebhookEvent } from '../../shared/schemas.ts';
import { call, orderStub } from './helpers.ts';

export const HOOKS = 'https://hooks.test';

export interface HookRequest {
  url: string;
  body: string;
  signature: string | null;
  status: number | 'network';
  event: WebhookEvent;
}

/** What the endpoint at a path answers: an HTTP status, or no answer at all. */
export type Behaviour = (path: string) => number | 'network';

/** Every request to `https://hooks.test/…`, answered by `behaviour`; other URLs go out as usual. */
export function receivers(behaviour: Behaviour): HookRequest[] {
  const requests: HookRequest[] = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith(`${HOOKS}/`)) return realFetch(input, init);
    const body = await request.text();
    const status = behaviour(new URL(request.url).pathname);
    requests.push({
      url: request.url,
      body,
      signature: request.headers.get('till-signature'),
      status,
      event: JSON.parse(body) as WebhookEvent,
    });
    if (status === 'network') throw new TypeError('connection refused');
    return new Response(status < 300 ? 'ok' : 'down for maintenance', { status });
  });
  return requests;
}

/** The requests one endpoint acknowledged, as `<order>:<event type>` in arrival order. */
export const acknowledged = (requests: HookRequest[], path: string): string[] =>
  requests
    .filter((request) => new URL(request.url).pathname === path && request.status !== 'network' && request.status < 300)
    .map((request) => `${request.event.data.object.id}:${request.event.type}`);

export function startClock(): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + 3600_000);
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

const alarmOf = (orderId: string) =>
  runInDurableObject(orderStub(orderId), (_instance, state) => state.storage.getAlarm());

/** Moves the clock forward alarm by alarm up to `until` (ms), running each order's alarm when due. */
export async function runUntil(orderIds: string[], until: number): Promise<number> {
  let runs = 0;
  for (;;) {
    const alarms = await Promise.all(orderIds.map(async (id) => ({ id, at: await alarmOf(id) })));
    const next = Math.min(...alarms.map((alarm) => alarm.at ?? Number.POSITIVE_INFINITY));
    if (next > until) {
      vi.setSystemTime(Math.max(Date.now(), until));
      return runs;
    }
    vi.setSystemTime(Math.max(Date.now(), next));
    for (const alarm of alarms) {
      if (alarm.at !== null && alarm.at <= Date.now()) {
        await runDurableObjectAlarm(orderStub(alarm.id));
        runs++;
      }
    }
    if (runs > 500) throw new Error('alarms keep coming: delivery does not settle');
  }
}

export async function createEndpoint(key: string, body: Record<string, unknown>): Promise<WebhookEndpointWithSecret> {
  const { status, body: endpoint } = await call<WebhookEndpointWithSecret>('/v1/webhook_endpoints', { key, body });
  if (status !== 201) throw new Error(`endpoint not created: ${JSON.stringify(endpoint)}`);
  return endpoint;
}
