/**
 * One confirmation of a PaymentIntent with a card, as Stripe runs it: the card checks, 3-D Secure,
 * the charge (declined or authorized), and the intent's next state with its event. Also the end of
 * a 3-D Secure challenge and the lapse of manual-capture authorizations after 7 days.
 */
import { createHash } from 'node:crypto';
import type { Account, StripeFakeState } from './account.ts';
import type { Answer, OperationContext } from './answers.ts';
import { behaviourOf, checkCard, detailsOf, type RawCard } from './cards.ts';
import { type RequestContext, recordEvent } from './events.ts';
import {
  type ChargeRecord,
  chargeView,
  docUrl,
  type PaymentError,
  type PaymentIntentRecord,
  type PaymentMethodRecord,
  paymentIntentView,
  stripeId,
} from './objects.ts';

export type CardSource = { kind: 'data'; card: RawCard } | { kind: 'payment_method'; method: PaymentMethodRecord };

/** Seven days: how long Stripe holds an uncaptured card authorization by default. */
export const AUTHORIZATION_LIFETIME_SECONDS = 7 * 24 * 3600;

const AUTHENTICATION_FAILED =
  'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new ' +
  'PaymentMethod to attempt to fulfill this PaymentIntent again.';

function methodSummary(method: PaymentMethodRecord): PaymentError['payment_method'] {
  return { id: method.id, object: 'payment_method', type: 'card', card: method.card };
}

/** Records a payment_intent.* event whose object is the intent as it is now. */
export function emit(
  ctx: Pick<OperationContext, 'state' | 'account'>,
  type: string,
  intent: PaymentIntentRecord,
  request?: RequestContext,
): void {
  recordEvent(ctx.state, ctx.account, type, paymentIntentView(intent), request);
}

/** A failed attempt: the intent waits for another payment method, and the caller gets 402 with it. */
function fail(ctx: OperationContext, intent: PaymentIntentRecord, error: PaymentError): Answer {
  intent.status = 'requires_payment_method';
  intent.payment_method = null;
  intent.next_action = null;
  intent.last_payment_error = error;
  emit(ctx, 'payment_intent.payment_failed', intent, ctx.request);
  return { status: 402, body: { error: { ...error, payment_intent: paymentIntentView(intent) } } };
}

function savePaymentMethod(account: Account, card: RawCard, now: number): PaymentMethodRecord {
  // A keyed hash stands in for Stripe's fingerprint: the same number gives the same value per account.
  const fingerprint = createHash('sha256')
    .update(`${account.secretKey}:${card.number}`)
    .digest('base64url')
    .slice(0, 16);
  const method: PaymentMethodRecord = {
    id: stripeId('pm'),
    created: now,
    card: detailsOf(card.number, card.expMonth, card.expYear, fingerprint),
    billingName: card.name,
    behaviour: behaviourOf(card.number),
  };
  account.paymentMethods.set(method.id, method);
  return method;
}

/** Whether the card behind `source` asks for 3-D Secure (then confirming needs a return_url). */
export function needsRedirect(source: CardSource): boolean {
  const behaviour = source.kind === 'data' ? behaviourOf(source.card.number) : source.method.behaviour;
  return behaviour.kind === 'three_ds';
}

function charge(ctx: OperationContext, intent: PaymentIntentRecord, method: PaymentMethodRecord): Answer {
  const { account, state } = ctx;
  const behaviour = method.behaviour;
  const declined = behaviour.kind === 'declines' ? behaviour : null;
  const manual = intent.capture_method === 'manual';
  const record: ChargeRecord = {
    id: stripeId('ch'),
    created: state.now(),
    amount: intent.amount,
    amount_captured: declined || manual ? 0 : intent.amount,
    currency: intent.currency,
    status: declined ? 'failed' : 'succeeded',
    captured: !declined && !manual,
    failure_code: declined?.code ?? null,
    failure_message: declined?.message ?? null,
    outcome: declined
      ? {
          type: declined.declineCode === 'fraudulent' ? 'blocked' : 'issuer_declined',
          network_status: declined.declineCode === 'fraudulent' ? 'not_sent_to_network' : 'declined_by_network',
          reason: declined.declineCode ?? declined.code,
          seller_message: 'The bank did not return any further details with this decline.',
        }
      : {
          type: 'authorized',
          network_status: 'approved_by_network',
          reason: null,
          seller_message: 'Payment complete.',
        },
    payment_intent: intent.id,
    payment_method: method.id,
    card: method.card,
    billingName: method.billingName,
    description: intent.description,
    metadata: intent.metadata,
    refundIds: [],
    disputed: false,
  };
  account.charges.set(record.id, record);
  intent.latest_charge = record.id;
  if (declined)
    return fail(ctx, intent, {
      type: 'card_error',
      code: declined.code,
      ...(declined.declineCode ? { decline_code: declined.declineCode } : {}),
      message: declined.message,
      ...(declined.param ? { param: declined.param } : {}),
      charge: record.id,
      payment_method: methodSummary(method),
      doc_url: docUrl(declined.code),
    });
  intent.last_payment_error = null;
  intent.next_action = null;
  intent.payment_method = method.id;
  if (manual) {
    intent.status = 'requires_capture';
    intent.amount_capturable = intent.amount;
    intent.authorizedAt = state.now();
    emit(ctx, 'payment_intent.amount_capturable_updated', intent, ctx.request);
  } else {
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    emit(ctx, 'payment_intent.succeeded', intent, ctx.request);
  }
  return { status: 200, body: paymentIntentView(intent) };
}

/** Confirms with the card: checks it, asks for 3-D Secure when the card wants it, else charges it. */
export function attempt(ctx: OperationContext, intent: PaymentIntentRecord, source: CardSource): Answer {
  let method: PaymentMethodRecord;
  if (source.kind === 'data') {
    const { card } = source;
    const problem = checkCard(card, ctx.state.now());
    if (problem) return fail(ctx, intent, { type: 'card_error', ...problem, doc_url: docUrl(problem.code) });
    method = savePaymentMethod(ctx.account, card, ctx.state.now());
  } else method = source.method;
  if (method.behaviour.kind === 'three_ds' && intent.return_url) {
    const challenge = new URL(`/3ds/${intent.id}`, ctx.origin);
    challenge.searchParams.set('payment_intent_client_secret', intent.client_secret);
    intent.status = 'requires_action';
    intent.payment_method = method.id;
    intent.next_action = {
      type: 'redirect_to_url',
      redirect_to_url: { url: challenge.toString(), return_url: intent.return_url },
    };
    emit(ctx, 'payment_intent.requires_action', intent, ctx.request);
    return { status: 200, body: paymentIntentView(intent) };
  }
  return charge(ctx, intent, method);
}

/** The shopper ends the challenge: the charge goes ahead, or the intent waits for another card. */
export function finishChallenge(ctx: OperationContext, intent: PaymentIntentRecord, authenticated: boolean): void {
  const method = intent.payment_method ? ctx.account.paymentMethods.get(intent.payment_method) : undefined;
  if (!method) return;
  if (authenticated) {
    charge(ctx, intent, method);
    return;
  }
  fail(ctx, intent, {
    type: 'invalid_request_error',
    code: 'payment_intent_authentication_failure',
    message: AUTHENTICATION_FAILED,
    payment_method: methodSummary(method),
    doc_url: docUrl('payment_intent_authentication_failure'),
  });
}

/** Cancels manual-capture authorizations older than 7 days on the fake's clock, as Stripe does. */
export function lapseAuthorizations(state: StripeFakeState, account: Account): void {
  for (const intent of account.intents.values()) {
    if (intent.status !== 'requires_capture' || intent.authorizedAt === null) continue;
    if (intent.authorizedAt + AUTHORIZATION_LIFETIME_SECONDS > state.now()) continue;
    intent.status = 'canceled';
    intent.cancellation_reason = 'automatic';
    intent.canceled_at = intent.authorizedAt + AUTHORIZATION_LIFETIME_SECONDS;
    intent.amount_capturable = 0;
    emit({ state, account }, 'payment_intent.canceled', intent);
  }
}

export const chargeOf = (account: Account, intent: PaymentIntentRecord) =>
  intent.latest_charge ? account.charges.get(intent.latest_charge) : undefined;

export const chargeObject = (account: Account, record: ChargeRecord) =>
  chargeView(record, account.refundsOf(record.id));
