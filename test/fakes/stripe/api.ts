/**
 * The /v1 API as Stripe serves it: the secret key in `Authorization: Bearer` (or Basic), form
 * bodies, JSON answers with a Request-Id, armed faults, and the idempotency cache: a POST's answer
 * is stored per (account, Idempotency-Key) once the operation ran (5xx included) and replayed for
 * the same parameters; requests refused by validation are not stored and may be retried.
 */
import { Account, type StripeFakeState } from './account.ts';
import { type Answer, apiError, invalidRequest, noSuch, type OperationContext, ok } from './answers.ts';
import { chargeObject, lapseAuthorizations } from './charging.ts';
import { FAKE_API_VERSION } from './events.ts';
import { canonical, type Form, ParamError, Params, parseForm } from './form.ts';
import { cancelIntent, captureIntent, confirmIntent, createIntent } from './intents.ts';
import { paymentIntentView, stripeId } from './objects.ts';
import { createRefund } from './refunds.ts';
import { createWebhookEndpoint } from './webhooks.ts';

const masked = (key: string): string => `${key.slice(0, key.indexOf('_', 3) + 1)}****${key.slice(-4)}`;

/** The secret key from Bearer or Basic auth (Stripe takes the key as the Basic user name). */
function keyOf(request: Request): string | null {
  const header = request.headers.get('authorization') ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (bearer) return bearer;
  const basic = /^Basic\s+(\S+)$/i.exec(header)?.[1];
  return basic ? (Buffer.from(basic, 'base64').toString('utf8').split(':')[0] ?? null) : null;
}

function authenticate(state: StripeFakeState, request: Request): Account | Answer {
  const key = keyOf(request);
  if (!key)
    return invalidRequest(
      'You did not provide an API key. You need to provide your API key in the Authorization header, using ' +
        "Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      { status: 401 },
    );
  // Live keys never reach an account here: the fake is test mode only.
  const account = key.startsWith('sk_test_') ? state.accounts.get(key) : undefined;
  return account ?? invalidRequest(`Invalid API Key provided: ${masked(key)}`, { status: 401 });
}

type Route = (ctx: OperationContext, params: Params, id: string) => Answer;

function intentRoute(operation: typeof confirmIntent): Route {
  return (ctx, params, id) => {
    const intent = ctx.account.intents.get(id);
    return intent ? operation(ctx, intent, params) : noSuch('payment_intent', id);
  };
}

const retrieve =
  (kind: string, lookup: (account: Account, id: string) => unknown): Route =>
  (ctx, params, id) => {
    params.only(['expand']);
    const found = lookup(ctx.account, id);
    return found ? ok(found) : noSuch(kind, id);
  };

/**
 * `GET /v1/payment_intents/search?query=metadata['key']:'value'`: the one clause Till asks, an exact
 * metadata match (Stripe's search language has more; anything else is refused as Stripe refuses a bad query).
 */
const searchIntents: Route = (ctx, params) => {
  params.only(['query', 'limit']);
  const query = params.required('query');
  const clause = /^metadata\['([^']+)'\]:'([^']*)'$/.exec(query);
  if (!clause) return invalidRequest(`The query '${query}' is not supported by this stand-in.`, { param: 'query' });
  const [, key = '', value = ''] = clause;
  const data = [...ctx.account.intents.values()]
    .filter((intent) => intent.metadata[key] === value)
    .map(paymentIntentView);
  return ok({ object: 'search_result', url: '/v1/payment_intents/search', has_more: false, next_page: null, data });
};

const ROUTES: Record<string, Route> = {
  'POST /v1/payment_intents': (ctx, params) => createIntent(ctx, params),
  'GET /v1/payment_intents/search': searchIntents,
  'GET /v1/payment_intents/:id': retrieve('payment_intent', (account, id) => {
    const intent = account.intents.get(id);
    return intent && paymentIntentView(intent);
  }),
  'POST /v1/payment_intents/:id/confirm': intentRoute(confirmIntent),
  'POST /v1/payment_intents/:id/capture': intentRoute(captureIntent),
  'POST /v1/payment_intents/:id/cancel': intentRoute(cancelIntent),
  'GET /v1/charges/:id': retrieve('charge', (account, id) => {
    const charge = account.charges.get(id);
    return charge && chargeObject(account, charge);
  }),
  'POST /v1/refunds': (ctx, params) => createRefund(ctx, params),
  'GET /v1/refunds/:id': retrieve('refund', (account, id) => account.refunds.get(id)),
  'GET /v1/events/:id': retrieve('event', (account, id) => account.events.get(id)),
  'POST /v1/webhook_endpoints': (ctx, params) => createWebhookEndpoint(ctx, params),
};

function route(method: string, path: string): { route: Route; id: string } | undefined {
  const exact = ROUTES[`${method} ${path}`];
  if (exact) return { route: exact, id: '' };
  const parts = path.split('/').filter(Boolean);
  const id = parts[2] ? decodeURIComponent(parts[2]) : '';
  const pattern = parts.map((part, index) => (index === 2 ? ':id' : part)).join('/');
  const found = ROUTES[`${method} /${pattern}`];
  return found ? { route: found, id } : undefined;
}

/** `expand[]=latest_charge` turns a PaymentIntent's charge id into the Charge. */
function expand(account: Account, body: unknown, fields: string[]): unknown {
  if (!fields.includes('latest_charge')) return body;
  const intent = body as { object?: string; latest_charge?: unknown };
  if (intent?.object !== 'payment_intent' || typeof intent.latest_charge !== 'string') return body;
  const charge = account.charges.get(intent.latest_charge);
  return charge ? { ...intent, latest_charge: chargeObject(account, charge) } : body;
}

const IDEMPOTENCY_MISMATCH = (key: string) =>
  `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a ` +
  `key other than '${key}' if you meant to execute a different request.`;

export async function handleApi(state: StripeFakeState, request: Request): Promise<Response> {
  const requestId = stripeId('req', 14);
  const url = new URL(request.url);
  const respond = (answer: Answer, headers: Record<string, string> = {}, text = JSON.stringify(answer.body, null, 2)) =>
    new Response(text, {
      status: answer.status,
      headers: {
        'content-type': 'application/json',
        'request-id': requestId,
        'stripe-version': request.headers.get('stripe-version') ?? FAKE_API_VERSION,
        ...headers,
      },
    });
  const account = authenticate(state, request);
  if (!(account instanceof Account)) return respond(account);
  lapseAuthorizations(state, account);
  const { faults } = account;
  // Both faults strike before the operation runs: nothing changes and nothing is stored.
  if (faults.down) return respond(apiError());
  if (faults.serverErrors > 0) {
    faults.serverErrors--;
    return respond(apiError());
  }
  const found = route(request.method, url.pathname);
  if (!found)
    return respond(invalidRequest(`Unrecognized request URL (${request.method}: ${url.pathname}).`, { status: 404 }));
  let form: Form;
  try {
    form = parseForm(request.method === 'GET' ? url.search.slice(1) : await request.text());
  } catch {
    return respond(invalidRequest('Invalid request body.'));
  }
  const key = request.method === 'POST' ? request.headers.get('idempotency-key') : null;
  const fingerprint = `${request.method} ${url.pathname} ${canonical(form)}`;
  if (key !== null) {
    if (key.length > 255)
      return respond(invalidRequest('Idempotency-Key must be at most 255 characters.', { param: 'idempotency_key' }));
    const stored = account.idempotency.get(key);
    if (stored && stored.fingerprint !== fingerprint)
      return respond({
        status: 400,
        body: { error: { type: 'idempotency_error', message: IDEMPOTENCY_MISMATCH(key) } },
      });
    if (stored) return respond({ status: stored.status, body: null }, { 'idempotent-replayed': 'true' }, stored.body);
  }
  const ctx: OperationContext = {
    state,
    account,
    origin: url.origin,
    request: { id: requestId, idempotencyKey: key },
  };
  const params = new Params(form);
  let answer: Answer;
  try {
    const fields = params.list('expand') ?? [];
    answer = found.route(ctx, params, found.id);
    answer = { ...answer, body: expand(account, answer.body, fields) };
  } catch (error) {
    if (!(error instanceof ParamError)) throw error;
    return respond(invalidRequest(error.message, { param: error.param, code: error.code }));
  }
  const text = JSON.stringify(answer.body, null, 2);
  if (key !== null) account.idempotency.set(key, { fingerprint, status: answer.status, body: text });
  if (faults.slow.count > 0) {
    // The operation is done (and stored): only the answer is late, so a caller that times out retries into it.
    faults.slow.count--;
    await new Promise((resolve) => setTimeout(resolve, faults.slow.delayMs));
  }
  return respond(answer, {}, text);
}
