/**
 * What the fake Stripe remembers, per account: payment intents, charges, refunds, events, webhook
 * endpoints, stored idempotent answers and armed faults. One default account exists at start
 * (STRIPE_TEST_SECRET_KEY); tests make their own isolated ones through POST /_fake/accounts.
 * All in memory, per fake instance, with a clock tests can move.
 */
import { randomBytes } from 'node:crypto';
import type { ChargeRecord, PaymentIntentRecord, PaymentMethodRecord, RefundRecord } from './objects.ts';

/** TEST-ONLY: the default account's secret key; it guards nothing outside the fake. */
export const STRIPE_TEST_SECRET_KEY = 'sk_test_51TillFakeDefaultAccount000000000000000000000000';
/** TEST-ONLY: the default account's webhook secret, used by endpoints registered through POST /_fake/webhooks. */
export const STRIPE_TEST_WEBHOOK_SECRET = 'whsec_TillFakeDefaultWebhookSecret000000';

export interface WebhookEndpoint {
  id: string;
  object: 'webhook_endpoint';
  url: string;
  enabled_events: string[];
  status: 'enabled' | 'disabled';
  created: number;
  livemode: false;
  secret: string;
  /** The secret before the last roll and until when (fake clock, seconds) it still signs. */
  previous: { secret: string; expiresAt: number } | null;
}

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
  data: { object: unknown };
}

export interface Delivery {
  event: string;
  type: string;
  endpoint: string;
  url: string;
  /** HTTP status of each attempt, null when the connection failed. */
  attempts: Array<number | null>;
  state: 'pending' | 'delivered' | 'failed' | 'dropped';
}

export interface StoredAnswer {
  fingerprint: string;
  status: number;
  body: string;
}

export interface Faults {
  serverErrors: number;
  down: boolean;
  slow: { count: number; delayMs: number };
  /** Events to record but not deliver; Infinity until reset. */
  dropWebhooks: number;
}

const noFaults = (): Faults => ({ serverErrors: 0, down: false, slow: { count: 0, delayMs: 0 }, dropWebhooks: 0 });

export class Account {
  readonly intents = new Map<string, PaymentIntentRecord>();
  readonly paymentMethods = new Map<string, PaymentMethodRecord>();
  readonly charges = new Map<string, ChargeRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  /** Disputes as Stripe's API shows them (opened and closed through the control API). */
  readonly disputes = new Map<string, Record<string, unknown>>();
  readonly events = new Map<string, StripeEvent>();
  readonly endpoints: WebhookEndpoint[] = [];
  readonly deliveries: Delivery[] = [];
  readonly idempotency = new Map<string, StoredAnswer>();
  faults: Faults = noFaults();

  readonly secretKey: string;
  /** The secret of endpoints registered through POST /_fake/webhooks; a roll replaces it. */
  webhookSecret: string;

  constructor(secretKey: string, webhookSecret: string) {
    this.secretKey = secretKey;
    this.webhookSecret = webhookSecret;
  }

  resetFaults(): void {
    this.faults = noFaults();
  }

  refundsOf(chargeId: string): RefundRecord[] {
    return (this.charges.get(chargeId)?.refundIds ?? []).map((id) => this.refunds.get(id)!);
  }
}

/** Random key material in Stripe's shapes. */
export const randomSecret = (prefix: string, bytes = 24): string =>
  `${prefix}${randomBytes(bytes).toString('base64url').replace(/[-_]/g, '0')}`;

export class StripeFakeState {
  readonly accounts = new Map<string, Account>();
  /** Which account a payment intent belongs to, for the 3-D Secure page and the control API. */
  readonly intentAccounts = new Map<string, Account>();
  private offsetSeconds = 0;

  constructor() {
    this.accounts.set(STRIPE_TEST_SECRET_KEY, new Account(STRIPE_TEST_SECRET_KEY, STRIPE_TEST_WEBHOOK_SECRET));
  }

  /** Unix seconds on the fake's clock (real time plus what tests advanced). */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.offsetSeconds;
  }

  advance(seconds: number): void {
    this.offsetSeconds += seconds;
  }

  createAccount(): Account {
    const account = new Account(randomSecret('sk_test_51', 36), randomSecret('whsec_'));
    this.accounts.set(account.secretKey, account);
    return account;
  }

  /** Returns the account and intent, wherever the intent lives. */
  findIntent(id: string): { account: Account; intent: PaymentIntentRecord } | undefined {
    const account = this.intentAccounts.get(id);
    const intent = account?.intents.get(id);
    return account && intent ? { account, intent } : undefined;
  }
}
