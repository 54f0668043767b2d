/** Security schemes, headers and tags: the parts of the document that are not zod schemas. */

import type { Role, Tag } from '../../../shared/api/route.ts';
import { REQUEST_SIGNATURE_HEADER, REQUEST_SIGNATURE_TOLERANCE_SECONDS } from '../../../shared/request-signature.ts';
import { DEFAULT_TOLERANCE_SECONDS } from '../../../shared/signature.ts';

export const SECURITY_SCHEMES = {
  secretKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'sk_test_… / sk_live_…',
    description: 'Your secret key, for your server only: full access to your orders and settings.',
  },
  restrictedKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'rk_test_… / rk_live_…',
    description: 'A restricted key: read-only access, for reporting tools.',
  },
  publishableKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'pk_test_… / pk_live_…',
    description: 'Your publishable key, safe to put in web pages.',
  },
  publishableKeyQuery: {
    type: 'apiKey',
    in: 'query',
    name: 'key',
    description: 'The publishable key as `?key=pk_…`, so a browser request needs no CORS preflight.',
  },
  clientToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWS',
    description:
      "The order's `client_token`: a short-lived EdDSA JWS for this order only, " +
      'handed to the widget. Verify it with /.well-known/jwks.json.',
  },
  adminKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'The platform admin key (TILL_ADMIN_KEY).',
  },
} as const;

type SchemeName = keyof typeof SECURITY_SCHEMES;

// The channel role has no scheme: the channel signs in its own format, checked by its adapter.
const SCHEMES_OF_ROLE: Record<Role, readonly SchemeName[]> = {
  admin: ['adminKey'],
  secret: ['secretKey'],
  restricted: ['restrictedKey'],
  publishable: ['publishableKey', 'publishableKeyQuery'],
  client_token: ['clientToken'],
  channel: [],
};

/** Security requirements: any one of the role's schemes; an empty list means public. */
export function securityOf(roles: readonly Role[]): Record<string, string[]>[] {
  return roles.flatMap((role) => SCHEMES_OF_ROLE[role].map((scheme) => ({ [scheme]: [] })));
}

/** Query parameters that carry a key for one of the roles' schemes. */
export function queryKeyParameters(roles: readonly Role[]): Set<string> {
  const names = new Set<string>();
  for (const role of roles) {
    for (const scheme of SCHEMES_OF_ROLE[role]) {
      const definition = SECURITY_SCHEMES[scheme];
      if (definition.type === 'apiKey' && definition.in === 'query') names.add(definition.name);
    }
  }
  return names;
}

const SIGNATURE_DESCRIPTION = [
  'Optional request signature; required once you set `require_signed_requests`. Sign',
  '',
  '    till-request-v1\\n<t>\\n<nonce>\\n<METHOD>\\n<path with query>\\n<hex SHA-256 of the body>',
  '',
  'and send `t=<unix seconds>,nonce=<16 to 64 of [0-9A-Za-z_-]>,v1=<hex HMAC-SHA256 with your request-signing secret>`',
  'or `t=…,nonce=…,ed25519=<base64url signature>[,kid=<key id>]` with an Ed25519 key you registered.',
  `\`t\` must be within ${REQUEST_SIGNATURE_TOLERANCE_SECONDS} seconds of our clock and each nonce is accepted once.`,
].join('\n');

export const PARAMETERS = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes retries safe: a request with a key already used returns the first response ' +
      '(with `Idempotent-Replayed: true`). Reusing a key for a different request is an error.',
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
  },
  TillSignature: {
    name: REQUEST_SIGNATURE_HEADER,
    in: 'header',
    required: false,
    description: SIGNATURE_DESCRIPTION,
    schema: { type: 'string' },
    example: 't=1767225600,nonce=3kTMd8qv0ZbJx2Lw,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
  },
  WebhookSignature: {
    name: 'Till-Signature',
    in: 'header',
    description:
      '`t=<unix seconds>,' +
      'v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the endpoint\'s secret>,' +
      'ed25519=<base64url Ed25519 signature of "<t>.<eid>.<raw body>">,' +
      'kid=<its key in /.well-known/jwks.json>,' +
      "eid=<the receiving endpoint's id>`. " +
      'Check either: the HMAC in constant time, or the Ed25519 signature with the JWKS (no secret needed), ' +
      "after checking that `eid` is your own endpoint's id (a delivery meant for another endpoint must not pass). " +
      'A rolled secret still in its grace period adds a second `v1`. ' +
      `Reject events whose \`t\` is more than ${DEFAULT_TOLERANCE_SECONDS} seconds away from your clock.`,
    required: true,
    schema: {
      type: 'string',
      pattern: '^t=[0-9]+(,v1=[0-9a-f]{64})+,ed25519=[A-Za-z0-9_-]{86},kid=[A-Za-z0-9._-]+,eid=we_[0-9A-Za-z]{24}$',
    },
  },
} as const;

export const HEADERS = {
  RequestId: {
    description: 'Identifies the request; quote it when asking for support.',
    schema: { type: 'string', pattern: '^req_[0-9A-Za-z]+$' },
  },
  IdempotentReplayed: {
    description: '`true` when this is the stored response to an earlier request with the same Idempotency-Key.',
    schema: { type: 'string', enum: ['true'] },
  },
  RetryAfter: {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer', minimum: 0 },
  },
  RateLimitPolicy: {
    description:
      'The rate limit this request counts against (draft-ietf-httpapi-ratelimit-headers): ' +
      '`"<policy>";q=<requests>;w=<seconds>`. Limits are approximate and per location.',
    schema: { type: 'string' },
    example: '"merchant-key";q=100;w=10',
  },
} as const;

export const TAGS: readonly { name: Tag; description: string }[] = [
  { name: 'Orders', description: 'Create orders on your server; the shopper pays them in the widget.' },
  { name: 'Refunds', description: 'Give back part or all of what an order was paid.' },
  { name: 'Events', description: 'What happened to your orders, as sent to your webhook endpoints.' },
  {
    name: 'Webhook endpoints',
    description: 'Where events are delivered: per mode, each with its own secret and event filter.',
  },
  { name: 'Merchant', description: 'Your settings and payment channels.' },
  { name: 'API keys', description: 'Restricted keys, rolling and revoking keys.' },
  { name: 'Payment methods', description: 'The methods you offer, for your own pages.' },
  { name: 'Checkout', description: "The widget's API, authenticated by the order's client token." },
  { name: 'Channels', description: 'Where payment channels report outcomes.' },
  { name: 'Admin', description: 'Platform administration, with the admin key.' },
  { name: 'Meta', description: 'This document and the keys that verify client tokens and receipts.' },
];
