/**
 * The fake's control API (JSON, unauthenticated, local only) for tests and the demo, and the
 * 3-D Secure 2 challenge pages. See index.ts for the list.
 */
import { randomBytes } from 'node:crypto';
import { runClock } from './modifications.ts';
import { batchBody, DISPUTE_EVENT_CODES, notify, withPaymentReference } from './notify.ts';
import { challengePage, messagePage } from './pages.ts';
import { completeChallenge, isObject, type Json, newRedirectResult } from './payments.ts';
import { type Account, type AdyenState, type FaultKind, newPspReference, type Payment, randomCode } from './state.ts';

const problem = (status: number, message: string): Response => Response.json({ error: message }, { status });

async function jsonBody(request: Request): Promise<Json> {
  const text = await request.text();
  const parsed: unknown = text ? JSON.parse(text) : {};
  if (!isObject(parsed)) throw new Error('the body must be a JSON object');
  return parsed;
}

export function paymentView(payment: Payment): Json {
  return {
    pspReference: payment.pspReference,
    merchantAccount: payment.merchantAccount,
    reference: payment.reference,
    amount: payment.amount,
    status: payment.status,
    manualCapture: payment.manualCapture,
    captured: payment.captured,
    refunded: payment.refunded,
    cancelled: payment.status === 'cancelled',
    refusalReason: payment.refusalReason,
    card: { brand: payment.card.brand, last4: payment.card.last4 },
    modifications: payment.modifications,
  };
}

const FAULT_KINDS: readonly (FaultKind | 'reset')[] = ['server_error', 'down', 'slow', 'drop_notifications', 'reset'];

function armFault(account: Account, body: Json): Response {
  const kind = body.kind as FaultKind | 'reset';
  if (!FAULT_KINDS.includes(kind)) return problem(400, `kind must be one of ${FAULT_KINDS.join(', ')}`);
  if (kind === 'reset') {
    account.faults.length = 0;
    return Response.json({ faults: [] });
  }
  const count = typeof body.count === 'number' && body.count > 0 ? body.count : null;
  // server_error and slow hit the next call unless told otherwise; down and drop_notifications last until reset.
  const remaining = count ?? (kind === 'server_error' || kind === 'slow' ? 1 : null);
  const delayMs = typeof body.delay_ms === 'number' ? body.delay_ms : 0;
  if (kind === 'slow' && delayMs <= 0) return problem(400, 'slow needs delay_ms > 0');
  account.faults.push({ kind, remaining, delayMs });
  return Response.json({ faults: account.faults }, { status: 201 });
}

/** The 3-D Secure 2 page: GET shows it, POST finishes it and sends the shopper back to returnUrl. */
async function challenge(state: AdyenState, request: Request, token: string): Promise<Response> {
  const entry = state.challenges.get(token);
  const payment = entry ? state.payments.get(entry.pspReference) : undefined;
  if (!entry || !payment) return messagePage('No such authentication: the link is unknown.');
  if (request.method === 'GET')
    return entry.done
      ? messagePage('This authentication is finished.', 410)
      : challengePage(`/_fake/3ds/${token}`, payment);
  const outcome = new URLSearchParams(await request.text()).get('outcome');
  const done = completeChallenge(state, token, outcome === 'complete');
  if (!done) return messagePage('This authentication is finished.', 410);
  const target = new URL(done.returnUrl);
  target.searchParams.append('redirectResult', newRedirectResult(state, done));
  return new Response(null, { status: 303, headers: { location: target.toString() } });
}

/**
 * A webhook as the fake sent it (or would have, with no URL set or notifications dropped): the
 * batch body and its headers, for tests whose receiver the fake cannot reach. Named by the item's
 * pspReference and eventCode (AUTHORISATION and EXPIRE carry the payment's pspReference).
 */
function signedNotification(
  state: AdyenState,
  pspReference: string,
  eventCode: string,
  merchantReference: string | null,
): Response {
  for (const account of state.accounts.values()) {
    const delivery = account.deliveries.findLast(
      ({ item }) => item.pspReference === pspReference && item.eventCode === eventCode,
    );
    if (!delivery) continue;
    const item = merchantReference === 'payment' ? withPaymentReference(state, account, delivery.item) : delivery.item;
    return Response.json({ body: batchBody(item), headers: { 'content-type': 'application/json' } });
  }
  return problem(404, 'no such notification');
}

/**
 * Sends one stage of a dispute of a captured payment, as Adyen's dispute webhooks do: the payment's
 * reference and pspReference (as originalReference), a pspReference of the stage's own, the
 * disputed amount (all that was captured unless `value` says), and the scheme's reason code and
 * defence deadline in additionalData.
 */
function disputeStage(state: AdyenState, pspReference: string, body: Json): Response {
  const payment = state.payments.get(pspReference);
  if (!payment) return problem(404, 'no such pspReference');
  const eventCode = DISPUTE_EVENT_CODES.find((code) => code === body.eventCode);
  if (!eventCode) return problem(400, `eventCode must be one of ${DISPUTE_EVENT_CODES.join(', ')}`);
  if (payment.captured === 0) return problem(409, 'only a captured payment can be disputed');
  const value = typeof body.value === 'number' ? body.value : payment.captured;
  const defenseEnds = new Date(state.now() + 21 * 24 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const stage = newPspReference();
  notify(state, {
    eventCode,
    payment,
    pspReference: stage,
    reference: payment.reference,
    amount: { currency: payment.amount.currency, value },
    success: true,
    reason: 'Dispute',
    details: {
      chargebackReasonCode: String(body.reasonCode ?? '10.4'),
      chargebackSchemeCode: payment.card.brand,
      defensePeriodEndsAt: defenseEnds,
      defendable: body.defendable === false ? 'false' : 'true',
    },
  });
  return Response.json({ pspReference: stage, eventCode });
}

/** Answers a /_fake/… request, or null when the path is not one of them. */
export async function handleControl(state: AdyenState, request: Request): Promise<Response | null> {
  const url = new URL(request.url);
  const { pathname: path } = url;
  const method = request.method;
  const threeDs = /^\/_fake\/3ds\/([\w-]+)$/.exec(path);
  if (threeDs && (method === 'GET' || method === 'POST')) return challenge(state, request, threeDs[1]!);

  if (method === 'POST' && path === '/_fake/accounts') {
    const suffix = randomCode(8);
    const account = state.addAccount(
      `AQE_fake_${randomBytes(24).toString('base64url')}`,
      `TillTest${suffix}`,
      randomBytes(32).toString('hex').toUpperCase(),
    );
    return Response.json(
      { api_key: account.apiKey, merchant_account: account.merchantAccount, hmac_key: account.hmacKey },
      { status: 201 },
    );
  }
  if (method === 'POST' && path === '/_fake/clock') {
    const body = await jsonBody(request);
    if (typeof body.advance_seconds !== 'number' || body.advance_seconds < 0)
      return problem(400, 'advance_seconds must be a number ≥ 0');
    state.advance(body.advance_seconds);
    runClock(state);
    return Response.json({ now: new Date(state.now()).toISOString() });
  }
  const signed = /^\/_fake\/notifications\/([A-Z0-9]+)\/([A-Z_]+)\/signed$/.exec(path);
  if (signed && method === 'GET')
    return signedNotification(state, signed[1]!, signed[2]!, url.searchParams.get('merchant_reference'));
  const disputed = /^\/_fake\/payments\/([A-Z0-9]+)\/dispute$/.exec(path);
  if (disputed && method === 'POST') return disputeStage(state, disputed[1]!, await jsonBody(request));
  const single = /^\/_fake\/payments\/([A-Z0-9]+)$/.exec(path);
  if (single && method === 'GET') {
    const payment = state.payments.get(single[1]!);
    return payment ? Response.json(paymentView(payment)) : problem(404, 'no such pspReference');
  }

  // The rest act on one account, named by its API key.
  const body = method === 'POST' ? await jsonBody(request) : {};
  const apiKey = method === 'POST' ? body.api_key : url.searchParams.get('api_key');
  const account = typeof apiKey === 'string' ? state.accounts.get(apiKey) : undefined;
  const known = ['/_fake/webhooks', '/_fake/faults', '/_fake/notifications', '/_fake/payments'].includes(path);
  if (!known) return null;
  if (!account) return problem(404, 'api_key names no account');
  if (method === 'POST' && path === '/_fake/webhooks') {
    if (typeof body.url !== 'string' || !/^https?:\/\//.test(body.url)) return problem(400, 'url must be http(s)');
    account.webhookUrl = body.url;
    return Response.json({ merchant_account: account.merchantAccount, url: account.webhookUrl });
  }
  if (method === 'POST' && path === '/_fake/faults') return armFault(account, body);
  if (method === 'GET' && path === '/_fake/notifications') return Response.json({ deliveries: account.deliveries });
  if (method === 'GET' && path === '/_fake/payments') {
    const reference = url.searchParams.get('reference');
    const payments = reference
      ? state.paymentsByReference(account.merchantAccount, reference)
      : [...state.payments.values()].filter((payment) => payment.merchantAccount === account.merchantAccount);
    return Response.json({ payments: payments.map(paymentView) });
  }
  return problem(405, `${method} ${path} is not supported`);
}
