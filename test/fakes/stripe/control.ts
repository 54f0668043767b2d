/**
 * The fake's control API (JSON, unauthenticated, local only) for tests and the demo: accounts, the
 * clock, webhook endpoints with the account's fixed secret and their rotation, faults, disputes,
 * and read-outs of what exists.
 */
import Stripe from 'stripe';
import type { Account, StripeFakeState } from './account.ts';
import { chargeObject, chargeOf, lapseAuthorizations } from './charging.ts';
import { paymentIntentView } from './objects.ts';
import { closeDispute, openDispute } from './refunds.ts';
import { addEndpoint, endpointView, rollSecret } from './webhooks.ts';

const problem = (status: number, message: string): Response => Response.json({ error: message }, { status });

async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  const parsed: unknown = text ? JSON.parse(text) : {};
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

const positive = (value: unknown, fallback: number): number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;

function intentReport(account: Account, id: string) {
  const intent = account.intents.get(id)!;
  const charge = chargeOf(account, intent);
  return {
    payment_intent: paymentIntentView(intent),
    charge: charge ? chargeObject(account, charge) : null,
    events: [...account.events.values()]
      .filter(
        (event) =>
          (event.data.object as { id?: string; payment_intent?: string }).id === id ||
          (event.data.object as { payment_intent?: string }).payment_intent === id,
      )
      .map((event) => ({ id: event.id, type: event.type })),
  };
}

function armFault(account: Account, body: Record<string, unknown>): Response {
  const count = positive(body.count, 1);
  switch (body.kind) {
    case 'server_error':
      account.faults.serverErrors += count;
      break;
    case 'down':
      account.faults.down = true;
      break;
    case 'slow':
      account.faults.slow = { count, delayMs: positive(body.delay_ms, 5000) };
      break;
    case 'drop_webhooks':
      account.faults.dropWebhooks = typeof body.count === 'number' ? count : Number.POSITIVE_INFINITY;
      break;
    case 'reset':
      account.resetFaults();
      break;
    default:
      return problem(400, 'kind must be one of server_error, down, slow, drop_webhooks, reset');
  }
  return Response.json({
    kind: body.kind,
    faults: { ...account.faults, dropWebhooks: String(account.faults.dropWebhooks) },
  });
}

/** Answers a /_fake/… request, or null when the path is not one of them. */
export async function handleControl(state: StripeFakeState, request: Request): Promise<Response | null> {
  const { pathname } = new URL(request.url);
  const post = request.method === 'POST';
  const body = post ? await jsonBody(request) : {};
  const accountOf = (key: unknown): Account | undefined =>
    typeof key === 'string' ? state.accounts.get(key) : undefined;

  if (post && pathname === '/_fake/accounts') {
    const account = state.createAccount();
    return Response.json({ secret_key: account.secretKey, webhook_secret: account.webhookSecret }, { status: 201 });
  }
  if (post && pathname === '/_fake/clock') {
    const seconds = body.advance_seconds;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0)
      return problem(400, 'advance_seconds must be a non-negative integer');
    state.advance(seconds);
    for (const account of state.accounts.values()) lapseAuthorizations(state, account);
    return Response.json({ now: state.now() });
  }
  if ((post && pathname.startsWith('/_fake/webhooks')) || (post && pathname === '/_fake/faults')) {
    const account = accountOf(body.secret_key);
    if (!account) return problem(404, 'secret_key names no account of this fake');
    if (pathname === '/_fake/faults') return armFault(account, body);
    if (pathname === '/_fake/webhooks/roll')
      return Response.json(rollSecret(account, state.now(), positive(body.expires_in_seconds, 24 * 3600)));
    if (pathname === '/_fake/webhooks') {
      if (typeof body.url !== 'string' || !URL.canParse(body.url)) return problem(400, 'url must be a URL');
      const events = Array.isArray(body.enabled_events) ? body.enabled_events.map(String) : ['*'];
      const endpoint = addEndpoint(account, state.now(), body.url, events, account.webhookSecret);
      return Response.json(endpointView(endpoint), { status: 201 });
    }
  }
  // An event as a webhook would carry it, for receivers the fake cannot reach (the worker tests
  // post it themselves): the JSON body and its Stripe-Signature under the account's webhook secret.
  const signedRoute = /^\/_fake\/events\/([^/]+)\/signed$/.exec(pathname);
  if (signedRoute && request.method === 'GET') {
    const id = decodeURIComponent(signedRoute[1]!);
    const account = [...state.accounts.values()].find((candidate) => candidate.events.has(id));
    if (!account) return problem(404, 'no such event');
    const body = JSON.stringify(account.events.get(id), null, 2);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: account.webhookSecret });
    return Response.json({ body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } });
  }
  const intentRoute = /^\/_fake\/payment_intents\/([^/]+)(\/dispute)?$/.exec(pathname);
  if (intentRoute) {
    const found = state.findIntent(decodeURIComponent(intentRoute[1]!));
    if (!found) return problem(404, 'no such payment intent');
    if (!intentRoute[2] && request.method === 'GET') return Response.json(intentReport(found.account, found.intent.id));
    if (intentRoute[2] && post) {
      const answer = openDispute({ state, account: found.account }, found.intent, {
        reason: String(body.reason ?? 'fraudulent'),
        status: String(body.status ?? 'needs_response'),
        amount: typeof body.amount === 'number' ? body.amount : null,
      });
      return Response.json(answer.body, { status: answer.status });
    }
  }
  const disputeRoute = /^\/_fake\/disputes\/([^/]+)\/close$/.exec(pathname);
  if (disputeRoute && post) {
    const id = decodeURIComponent(disputeRoute[1]!);
    const account = [...state.accounts.values()].find((candidate) => candidate.disputes.has(id));
    if (!account) return problem(404, 'no such dispute');
    const answer = closeDispute({ state, account }, account.disputes.get(id)!, String(body.status ?? ''));
    return Response.json(answer.body, { status: answer.status });
  }
  const listRoute = /^\/_fake\/accounts\/([^/]+)\/(payment_intents|deliveries)$/.exec(pathname);
  if (listRoute && request.method === 'GET') {
    const account = accountOf(decodeURIComponent(listRoute[1]!));
    if (!account) return problem(404, 'no such account');
    lapseAuthorizations(state, account);
    const data =
      listRoute[2] === 'deliveries' ? account.deliveries : [...account.intents.values()].map(paymentIntentView);
    return Response.json({ object: 'list', data });
  }
  return null;
}
