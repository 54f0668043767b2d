/**
 * The widget's live line to its order: WebSockets the order object accepts with the hibernation
 * API, so a checkout waiting minutes for a QR code to be paid costs no duration while idle.
 *
 * The worker authorizes the socket (client token, Origin, rate limit: routes/checkout-api.ts) and
 * forwards the upgrade with the verified claims in LIVE_GRANT_HEADER. The object checks the token
 * against the order, accepts, and sends the summary at once. After every change `publish` sends
 * each socket the summary for its shopper context when it differs from the last one that socket
 * got. A summary that is final for the shopper closes the socket a moment later; a socket whose
 * token expired is closed by the alarm (`closeExpired`, scheduled from `nextDeadline`).
 *
 * Messages are the bare CheckoutSummary JSON, the same body as `GET /v1/checkout/:id`, so the
 * widget applies a push and a poll alike.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { toBase64Url, utf8 } from '../../shared/encoding.ts';
import { type ErrorEnvelope, isErrorCode, TillError } from '../../shared/errors.ts';
import { isSettledForShopper } from '../../shared/order-model.ts';
import { type CheckoutSummary, type ShopperContext, ShopperContextSchema } from '../../shared/schemas.ts';
import { type ClientTokenClaims, ClientTokenClaimsSchema } from '../../shared/tokens.ts';
import { nowMs } from '../base/clock.ts';

/** The subprotocol the widget offers, next to its client token, and the one the server answers. */
export const LIVE_PROTOCOL = 'till.v1';
/** Carries the claims the worker verified to the object; set by the worker, never taken from a client. */
export const LIVE_GRANT_HEADER = 'till-live-grant';
/** Time for the widget to render the final summary and close its side before the server does. */
const FINAL_LINGER_MS = 2000;
/** Close codes the widget may read: 1000 after the final summary, 4001 when the token ran out. */
const CLOSE_FINAL = 1000;
const CLOSE_EXPIRED = 4001;

export interface LiveGrant {
  claims: ClientTokenClaims;
  context: ShopperContext;
}

const LiveGrantSchema = z.object({ claims: ClientTokenClaimsSchema, context: ShopperContextSchema });

/** Survives hibernation with the socket (serializeAttachment: at most 2 KiB, so a fingerprint, not the summary). */
interface Attachment {
  context: ShopperContext;
  /** When the client token expires, ms since the epoch. */
  until: number;
  /** Fingerprint of the last summary sent. */
  sent: string;
  /** Set once the final summary went out: when the socket is closed. */
  closeAt?: number;
}

/** Statuses after which nothing the shopper can see will change. */
const isFinal = (summary: CheckoutSummary): boolean => isSettledForShopper(summary.order.status);

/** Tells whether a socket already has this summary (SHA-256, cut to 128 bits: the attachment is small). */
const fingerprint = (text: string): string => toBase64Url(sha256(utf8(text)).subarray(0, 16));

/** The subprotocols a WebSocket request offers (`Sec-WebSocket-Protocol: till.v1, <token>`). */
export const offeredProtocols = (header: string | null | undefined): string[] =>
  (header ?? '')
    .split(',')
    .map((protocol) => protocol.trim())
    .filter(Boolean);

/** The client token offered next to LIVE_PROTOCOL, or null; a JWS is all tchars, so it is a valid subprotocol. */
export function protocolToken(header: string | null | undefined): string | null {
  const offered = offeredProtocols(header);
  if (!offered.includes(LIVE_PROTOCOL)) return null;
  return offered.find((protocol) => protocol !== LIVE_PROTOCOL) ?? null;
}

/** The upgrade request as the worker forwards it to the order object, with what it verified. */
export function grantedRequest(request: Request, grant: LiveGrant): Request {
  const headers = new Headers(request.headers);
  headers.set(LIVE_GRANT_HEADER, JSON.stringify(grant));
  return new Request(request.url, { method: 'GET', headers });
}

/** An error the object refused the socket with, for the worker to rethrow into its envelope. */
export function refusalOf(status: number, body: unknown): TillError {
  const error = (body as Partial<ErrorEnvelope> | null)?.error;
  if (error && isErrorCode(error.code)) return new TillError(error.code, String(error.message ?? ''), error.param);
  console.error('live socket refused without an error envelope', { status });
  return new TillError('internal_error', 'Something went wrong on our side. Try again later.');
}

function attachmentOf(ws: WebSocket): Attachment | null {
  return (ws.deserializeAttachment() as Attachment | null) ?? null;
}

function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closing or closed: nothing left to do.
  }
}

export class LiveStatus {
  private readonly ctx: DurableObjectState;

  constructor(ctx: DurableObjectState) {
    this.ctx = ctx;
    // Keep-alive pings are answered by the runtime without waking a hibernating object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  /**
   * Accepts a socket the worker authorized; `summaryFor` checks the token against the order and
   * throws TillError when it does not match. Refusals answer with the error envelope.
   */
  accept(request: Request, summaryFor: (grant: LiveGrant) => CheckoutSummary): Response {
    let summary: CheckoutSummary;
    let grant: LiveGrant;
    try {
      if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
        throw new TillError('upgrade_required', 'Open this URL as a WebSocket');
      }
      const parsed = LiveGrantSchema.safeParse(JSON.parse(request.headers.get(LIVE_GRANT_HEADER) ?? 'null'));
      // Only the worker reaches this object; a request without its grant is a bug of ours.
      if (!parsed.success) throw new Error('live socket forwarded without a valid grant');
      grant = parsed.data;
      summary = summaryFor(grant);
    } catch (error) {
      if (!(error instanceof TillError)) throw error;
      return Response.json(error.toEnvelope(''), { status: error.status });
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    const text = JSON.stringify(summary);
    const attachment: Attachment = { context: grant.context, until: grant.claims.exp * 1000, sent: fingerprint(text) };
    server.serializeAttachment(attachment);
    server.send(text);
    if (isFinal(summary)) this.closeSoon(server, attachment);
    // Answer the subprotocol only when one was offered: a browser fails a socket that gets one it did not ask for.
    const offered = offeredProtocols(request.headers.get('sec-websocket-protocol')).includes(LIVE_PROTOCOL);
    return new Response(null, {
      status: 101,
      webSocket: client,
      headers: offered ? { 'sec-websocket-protocol': LIVE_PROTOCOL } : {},
    });
  }

  /** Sends each open socket the summary for its context, if it is not the last one it got. */
  publish(summaryFor: (context: ShopperContext) => CheckoutSummary): void {
    const sockets = this.ctx.getWebSockets();
    if (sockets.length === 0) return;
    const now = nowMs();
    const byContext = new Map<ShopperContext, { text: string; print: string; final: boolean }>();
    for (const ws of sockets) {
      const attachment = attachmentOf(ws);
      if (!attachment || attachment.closeAt !== undefined) continue;
      if (attachment.until <= now) {
        close(ws, CLOSE_EXPIRED, 'client token expired');
        continue;
      }
      let current = byContext.get(attachment.context);
      if (!current) {
        const summary = summaryFor(attachment.context);
        const text = JSON.stringify(summary);
        current = { text, print: fingerprint(text), final: isFinal(summary) };
        byContext.set(attachment.context, current);
      }
      if (current.print !== attachment.sent) {
        try {
          ws.send(current.text);
        } catch {
          continue; // closing under us; its close handler tidies up
        }
        attachment.sent = current.print;
        ws.serializeAttachment(attachment);
      }
      if (current.final) this.closeSoon(ws, attachment);
    }
  }

  private closeSoon(ws: WebSocket, attachment: Attachment): void {
    attachment.closeAt = nowMs() + FINAL_LINGER_MS;
    ws.serializeAttachment(attachment);
    // A short timer keeps the object awake for its length; should it be evicted first, the
    // widget closes its side on the final summary anyway, and `closeExpired` catches the rest.
    setTimeout(() => close(ws, CLOSE_FINAL, 'order final'), FINAL_LINGER_MS);
  }

  /** Closes sockets whose token expired, or that outlived their final summary. Run from the alarm. */
  closeExpired(): void {
    const now = nowMs();
    for (const ws of this.ctx.getWebSockets()) {
      const attachment = attachmentOf(ws);
      if (!attachment || ws.readyState !== WebSocket.OPEN) continue;
      if (attachment.until <= now) close(ws, CLOSE_EXPIRED, 'client token expired');
      else if (attachment.closeAt !== undefined && attachment.closeAt <= now) close(ws, CLOSE_FINAL, 'order final');
    }
  }

  /** When an open socket is next due to close (its token expires, or its final linger ends), in
   * Unix seconds, for the alarm; null without sockets. The linger counts too, in case the object
   * is evicted before its timer fires. */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const ws of this.ctx.getWebSockets()) {
      // Only open sockets: one already closing must not keep the alarm firing.
      if (ws.readyState !== WebSocket.OPEN) continue;
      const attachment = attachmentOf(ws);
      const due = attachment?.closeAt ?? attachment?.until;
      if (due !== undefined && (next === null || due < next)) next = due;
    }
    return next === null ? null : Math.ceil(next / 1000);
  }

  /** The socket only pushes; a `ping` that escaped the auto-response still gets its `pong`. */
  message(ws: WebSocket, message: string | ArrayBuffer): void {
    if (message === 'ping') ws.send('pong');
  }

  /** Completes the closing handshake (the runtime may already have; closing twice is harmless). */
  closed(ws: WebSocket): void {
    close(ws, 1000, '');
  }

  errored(ws: WebSocket): void {
    close(ws, 1011, 'socket error');
  }
}
