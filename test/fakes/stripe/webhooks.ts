/**
 * Webhook endpoints: created through the API (each with its own random `whsec_…` secret, shown
 * once, as Stripe does) or registered through the control API with the account's fixed secret;
 * and secret rotation, after which the previous secret keeps signing beside the new one for a while.
 */
import { type Account, randomSecret, type WebhookEndpoint } from './account.ts';
import { type Answer, type OperationContext, ok } from './answers.ts';
import { ParamError, type Params } from './form.ts';
import { stripeId } from './objects.ts';

/** How long a rolled secret keeps signing by default (Stripe lets it live up to 24 hours). */
const ROLL_OVERLAP_SECONDS = 24 * 3600;

export const endpointView = (endpoint: WebhookEndpoint) => {
  const { previous: _previous, ...view } = endpoint;
  return view;
};

export function addEndpoint(
  account: Account,
  now: number,
  url: string,
  enabledEvents: string[],
  secret: string,
): WebhookEndpoint {
  const endpoint: WebhookEndpoint = {
    id: stripeId('we'),
    object: 'webhook_endpoint',
    url,
    enabled_events: enabledEvents,
    status: 'enabled',
    created: now,
    livemode: false,
    secret,
    previous: null,
  };
  account.endpoints.push(endpoint);
  return endpoint;
}

export function createWebhookEndpoint(ctx: OperationContext, params: Params): Answer {
  params.only(['url', 'enabled_events', 'description', 'metadata', 'api_version', 'expand']);
  const url = params.required('url');
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new ParamError('Invalid URL: URL must be a valid http(s) URL.', 'url', 'url_invalid');
  const events = params.list('enabled_events');
  if (!events?.length)
    throw new ParamError('Missing required param: enabled_events.', 'enabled_events', 'parameter_missing');
  params.metadata();
  return ok(endpointView(addEndpoint(ctx.account, ctx.state.now(), url, events, randomSecret('whsec_'))));
}

/**
 * Gives the account (and every endpoint it has) a new secret; the old one still signs until
 * `overlapSeconds` have passed on the fake's clock.
 */
export function rollSecret(account: Account, now: number, overlapSeconds = ROLL_OVERLAP_SECONDS) {
  const previous = account.webhookSecret;
  account.webhookSecret = randomSecret('whsec_');
  for (const endpoint of account.endpoints) {
    endpoint.previous = { secret: endpoint.secret, expiresAt: now + overlapSeconds };
    endpoint.secret = endpoint.secret === previous ? account.webhookSecret : randomSecret('whsec_');
  }
  return { secret: account.webhookSecret, previous_secret: previous, previous_expires_at: now + overlapSeconds };
}
