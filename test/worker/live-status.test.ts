/**
 * The widget's live socket (GET /v1/checkout/:id/live): authorized by the client token offered as
 * a subprotocol, accepted by the order object with the hibernation API, and pushed each change.
 */
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { CheckoutSummary, Order } from '../../shared/schemas.ts';
import { type ClientTokenClaims, signClientToken } from '../../shared/tokens.ts';
import { LIVE_PROTOCOL } from '../../worker/orders/live-status.ts';
import type { OrderObject } from '../../worker/orders/order-object.ts';
import { call, createMerchant, newOrder, ORIGIN, orderStub, paidNote, pay, sandboxNotify } from './helpers.ts';

const merchant = await createMerchant();

interface LiveOptions {
  token?: string;
  /** The Sec-WebSocket-Protocol offer; null sends none. */
  protocols?: string[] | null;
  /** null sends no Origin. */
  origin?: string | null;
  upgrade?: boolean;
  context?: string;
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function openLive(order: Order, options: LiveOptions = {}): Promise<Response> {
  const token = options.token ?? order.client_token;
  const headers: Record<string, string> = {};
  if (options.upgrade !== false) {
    // What a browser sends with every opening handshake (RFC 6455).
    Object.assign(headers, { upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': KEY });
  }
  const protocols = options.protocols === undefined ? [LIVE_PROTOCOL, token] : options.protocols;
  if (protocols) headers['sec-websocket-protocol'] = protocols.join(', ');
  const origin = options.origin === undefined ? ORIGIN : options.origin;
  if (origin) headers.origin = origin;
  const query = options.context ? `?context=${options.context}` : '';
  return SELF.fetch(`${ORIGIN}/v1/checkout/${order.id}/live${query}`, { headers });
}

/** The client end of an accepted socket: its messages in order, and how it closed. */
class Listener {
  private readonly queue: string[] = [];
  private wake: (() => void) | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.accept();
    ws.addEventListener('message', (event) => {
      this.queue.push(typeof event.data === 'string' ? event.data : '<binary>');
      this.wake?.();
    });
    this.closed = new Promise((resolve) =>
      ws.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason })),
    );
    open.push(ws);
  }

  async next(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (Date.now() > deadline) throw new Error('no message on the live socket');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.queue.shift()!;
  }

  async summary(): Promise<CheckoutSummary> {
    return JSON.parse(await this.next()) as CheckoutSummary;
  }

  pending(): number {
    return this.queue.length;
  }
}

const open: WebSocket[] = [];
afterEach(() => {
  // Sockets left open would outlive the test's storage.
  for (const ws of open.splice(0)) {
    try {
      ws.close(1000, 'test over');
    } catch {
      // already closed
    }
  }
});

async function accepted(order: Order, options: LiveOptions = {}): Promise<{ response: Response; live: Listener }> {
  const response = await openLive(order, options);
  if (response.status !== 101) throw new Error(`socket refused: ${response.status} ${await response.text()}`);
  return { response, live: new Listener(response.webSocket!) };
}

async function refused(order: Order, options: LiveOptions): Promise<[number, string]> {
  const response = await openLive(order, options);
  expect(response.webSocket).toBeNull();
  const body = (await response.json()) as ErrorEnvelope;
  return [response.status, body.error.code];
}

const notifyPaid = (orderId: string, attemptId: string) => sandboxNotify(paidNote(orderId, attemptId));

function claimsOf(token: string): ClientTokenClaims {
  const payload = token.split('.')[1]!;
  return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as ClientTokenClaims;
}

describe('live checkout socket', () => {
  it('sends the summary at once, then the paid summary when the QR notification lands, then closes', async () => {
    const order = await newOrder(merchant.secret_key);
    const started = await pay(order, { channel: 'sandbox', method: 'qr' });
    const attempt = started.body.attempt!;
    const { response, live } = await accepted(order);
    expect(response.headers.get('sec-websocket-protocol')).toBe(LIVE_PROTOCOL);

    const first = await live.summary();
    expect(first.order).toMatchObject({ id: order.id, status: 'requires_action' });
    expect(first.attempt?.next_action).toMatchObject({ type: 'qr' });

    const answer = await notifyPaid(order.id, attempt.id);
    expect([answer.status, answer.body]).toEqual([200, 'ok']);
    const paid = await live.summary();
    expect(paid.order.status).toBe('paid');
    expect(paid.receipt).toEqual(expect.any(String));
    // The same notification again changes nothing, so nothing more is sent; the socket closes.
    await notifyPaid(order.id, attempt.id);
    expect(await live.closed).toMatchObject({ code: 1000 });
    expect(live.pending()).toBe(0);
  });

  it("pushes the attempt the shopper starts, in the summary of each socket's own context", async () => {
    const order = await newOrder(merchant.secret_key);
    const { live: desktop } = await accepted(order);
    const { live: mobile } = await accepted(order, { context: 'mobile' });
    expect((await desktop.summary()).order.status).toBe('open');
    expect((await mobile.summary()).order.status).toBe('open');
    await pay(order, { channel: 'sandbox', method: 'qr' });
    for (const live of [desktop, mobile]) {
      const pushed = await live.summary();
      expect(pushed.order.status).toBe('requires_action');
      expect(pushed.attempt?.next_action).toMatchObject({ type: 'qr' });
    }
  });

  it('answers ping with pong', async () => {
    const order = await newOrder(merchant.secret_key);
    const { live } = await accepted(order);
    await live.summary();
    live.ws.send('ping');
    expect(await live.next()).toBe('pong');
  });

  it('sends a final order its summary and closes', async () => {
    const order = await newOrder(merchant.secret_key);
    await call(`/v1/orders/${order.id}/cancel`, { key: merchant.secret_key, method: 'POST' });
    const { live } = await accepted(order);
    expect((await live.summary()).order.status).toBe('canceled');
    expect(await live.closed).toMatchObject({ code: 1000 });
  });

  it('is closed by the alarm once its token has expired', async () => {
    const order = await newOrder(merchant.secret_key);
    const { live } = await accepted(order);
    await live.summary();
    // Stand in for the clock: the attachment says when the token expires.
    await runInDurableObject(orderStub(order.id), (_instance: OrderObject, state) => {
      for (const ws of state.getWebSockets())
        ws.serializeAttachment({ ...ws.deserializeAttachment(), until: Date.now() - 1 });
    });
    await runDurableObjectAlarm(orderStub(order.id));
    expect(await live.closed).toMatchObject({ code: 4001 });
  });

  it('accepts the token in Authorization from a client that is no browser (no Origin, no subprotocol)', async () => {
    const order = await newOrder(merchant.secret_key);
    const response = await SELF.fetch(`${ORIGIN}/v1/checkout/${order.id}/live`, {
      headers: {
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': KEY,
        authorization: `Bearer ${order.client_token}`,
      },
    });
    expect(response.status).toBe(101);
    expect(response.headers.get('sec-websocket-protocol')).toBeNull();
    const live = new Listener(response.webSocket!);
    expect((await live.summary()).order.id).toBe(order.id);
  });

  it("refuses a wrong, expired or other order's token, a missing subprotocol and a foreign origin", async () => {
    const order = await newOrder(merchant.secret_key);
    const other = await newOrder(merchant.secret_key);
    const key = JSON.parse(env.TILL_SIGNING_KEY);
    const claims = claimsOf(order.client_token);

    expect(await refused(order, { token: other.client_token })).toEqual([401, 'token_mismatch']);
    expect(await refused(order, { token: 'not-a-token' })).toEqual([401, 'invalid_client_token']);
    const expired = signClientToken({ ...claims, iat: claims.iat - 7200, exp: claims.iat - 3600 }, key);
    expect(await refused(order, { token: expired })).toEqual([401, 'expired_client_token']);
    // Signed by the platform for this order id, but not for this order: the object refuses it.
    const mismatched = signClientToken({ ...claims, amt: claims.amt + 1 }, key);
    expect(await refused(order, { token: mismatched })).toEqual([401, 'token_mismatch']);

    expect(await refused(order, { protocols: null })).toEqual([401, 'missing_client_token']);
    expect(await refused(order, { protocols: [order.client_token] })).toEqual([401, 'missing_client_token']);
    expect(await refused(order, { origin: 'https://evil.example' })).toEqual([403, 'forbidden']);

    const plain = await openLive(order, { upgrade: false });
    expect(plain.status).toBe(426);
    expect(plain.headers.get('upgrade')).toBe('websocket');
    expect(((await plain.json()) as ErrorEnvelope).error.code).toBe('upgrade_required');
  });
});
