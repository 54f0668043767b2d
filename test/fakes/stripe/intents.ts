/**
 * The PaymentIntent endpoints: create (optionally confirming), confirm, capture and cancel, each
 * validating its parameters as Stripe does before touching any state (a ParamError is a 400 that
 * changes nothing), and allowed only from the statuses Stripe allows (channels.md §3.2).
 */
import type { Account } from './account.ts';
import { type Answer, invalidRequest, type OperationContext, ok, unexpectedState } from './answers.ts';
import type { RawCard } from './cards.ts';
import { attempt, type CardSource, chargeOf, emit, needsRedirect } from './charging.ts';
import { ParamError, type Params } from './form.ts';
import { type PaymentIntentRecord, type PaymentIntentStatus, paymentIntentView, stripeId } from './objects.ts';

const CAPTURE_METHODS = ['automatic', 'automatic_async', 'manual'] as const;
const CANCELLATION_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency').map((code) => code.toLowerCase()));

const CONFIRMABLE: PaymentIntentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE: PaymentIntentStatus[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];

const missing = (param: string) => new ParamError(`Missing required param: ${param}.`, param, 'parameter_missing');

function readCard(data: Params): RawCard {
  data.only(['type', 'card', 'billing_details']);
  if (data.required('type') !== 'card')
    throw new ParamError(
      'The Stripe fake only takes payment_method_data[type]=card.',
      'payment_method_data[type]',
      'parameter_invalid_string',
    );
  const card = data.nested('card')?.only(['number', 'exp_month', 'exp_year', 'cvc']);
  if (!card) throw missing('payment_method_data[card]');
  const number = card.required('number');
  const expMonth = card.integer('exp_month');
  if (expMonth === undefined) throw missing('payment_method_data[card][exp_month]');
  const expYear = card.integer('exp_year');
  if (expYear === undefined) throw missing('payment_method_data[card][exp_year]');
  const billing = data.nested('billing_details')?.only(['name', 'email', 'phone']);
  return {
    number,
    expMonth,
    // Stripe takes two-digit years too.
    expYear: expYear < 100 ? 2000 + expYear : expYear,
    cvc: card.string('cvc'),
    name: billing?.string('name') ?? null,
  };
}

/** The card to confirm with, from `payment_method_data` or a `payment_method` id of this account. */
function readSource(account: Account, params: Params): CardSource | null {
  const data = params.nested('payment_method_data');
  const id = params.string('payment_method');
  if (data && id !== undefined)
    throw new ParamError(
      'You cannot specify both payment_method and payment_method_data.',
      'payment_method',
      'parameter_unknown',
    );
  if (data) return { kind: 'data', card: readCard(data) };
  if (id === undefined) return null;
  const method = account.paymentMethods.get(id);
  if (!method) throw new ParamError(`No such PaymentMethod: '${id}'`, 'payment_method', 'resource_missing');
  return { kind: 'payment_method', method };
}

function readReturnUrl(params: Params): string | undefined {
  const value = params.string('return_url');
  if (value === undefined) return undefined;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw new ParamError('Not a valid URL', 'return_url', 'url_invalid');
  return value;
}

/** Stripe refuses, before anything happens, a confirm that could not finish. */
function checkConfirmable(source: CardSource | null, returnUrl: string | null | undefined): CardSource {
  if (!source)
    throw new ParamError(
      "You cannot confirm this PaymentIntent because it's missing a payment method. Pass payment_method or " +
        'payment_method_data.',
      'payment_method',
      'parameter_missing',
    );
  if (needsRedirect(source) && !returnUrl)
    throw new ParamError(
      'This card may require 3D Secure authentication, which redirects the customer: pass a return_url to ' +
        'confirm this PaymentIntent.',
      'return_url',
      'parameter_missing',
    );
  return source;
}

export function createIntent(ctx: OperationContext, params: Params): Answer {
  params.only([
    'amount',
    'currency',
    'confirm',
    'capture_method',
    'return_url',
    'description',
    'metadata',
    'payment_method',
    'payment_method_data',
    'payment_method_types',
    'automatic_payment_methods',
    'expand',
  ]);
  const amount = params.integer('amount');
  if (amount === undefined) throw missing('amount');
  if (amount < 1)
    throw new ParamError('This value must be greater than or equal to 1.', 'amount', 'parameter_invalid_integer');
  const currency = params.required('currency').toLowerCase();
  if (!CURRENCIES.has(currency)) throw new ParamError(`Invalid currency: ${currency}.`, 'currency', 'invalid_currency');
  const types = params.list('payment_method_types') ?? ['card'];
  const foreign = types.find((type) => type !== 'card');
  if (foreign !== undefined)
    throw new ParamError(
      `The payment method type "${foreign}" is invalid: the Stripe fake takes card only.`,
      'payment_method_types',
      'payment_method_invalid_parameter',
    );
  const captureMethod = params.oneOf('capture_method', CAPTURE_METHODS) ?? 'automatic';
  const returnUrl = readReturnUrl(params);
  const description = params.string('description') ?? null;
  const metadata = params.metadata() ?? {};
  const source = readSource(ctx.account, params);
  const confirm = params.boolean('confirm') ?? false;
  if (confirm) checkConfirmable(source, returnUrl);
  const id = stripeId('pi');
  const intent: PaymentIntentRecord = {
    id,
    created: ctx.state.now(),
    amount,
    amount_capturable: 0,
    amount_received: 0,
    currency,
    status: source?.kind === 'payment_method' ? 'requires_confirmation' : 'requires_payment_method',
    capture_method: captureMethod,
    client_secret: `${id}_secret_${stripeId('s', 25).slice(2)}`,
    description,
    metadata,
    payment_method: source?.kind === 'payment_method' ? source.method.id : null,
    payment_method_types: types,
    latest_charge: null,
    last_payment_error: null,
    next_action: null,
    cancellation_reason: null,
    canceled_at: null,
    return_url: returnUrl ?? null,
    authorizedAt: null,
  };
  ctx.account.intents.set(id, intent);
  ctx.state.intentAccounts.set(id, ctx.account);
  if (confirm && source) return attempt(ctx, intent, source);
  return ok(paymentIntentView(intent));
}

export function confirmIntent(ctx: OperationContext, intent: PaymentIntentRecord, params: Params): Answer {
  params.only(['payment_method', 'payment_method_data', 'return_url', 'expand']);
  const given = readSource(ctx.account, params);
  const returnUrl = readReturnUrl(params) ?? intent.return_url;
  if (!CONFIRMABLE.includes(intent.status))
    return unexpectedState(
      `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent ` +
        `with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
    );
  const current = intent.payment_method ? ctx.account.paymentMethods.get(intent.payment_method) : undefined;
  const source = checkConfirmable(given ?? (current ? { kind: 'payment_method', method: current } : null), returnUrl);
  intent.return_url = returnUrl ?? null;
  return attempt(ctx, intent, source);
}

export function captureIntent(ctx: OperationContext, intent: PaymentIntentRecord, params: Params): Answer {
  params.only(['amount_to_capture', 'expand']);
  const requested = params.integer('amount_to_capture');
  if (intent.status !== 'requires_capture')
    return unexpectedState(
      `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a ` +
        'PaymentIntent with one of the following statuses may be captured: requires_capture.',
    );
  const amount = requested ?? intent.amount_capturable;
  if (amount < 1 || amount > intent.amount_capturable)
    return invalidRequest(
      `The amount_to_capture (${amount}) must be between 1 and the amount_capturable (${intent.amount_capturable}).`,
      { param: 'amount_to_capture', code: 'amount_too_large' },
    );
  const charge = chargeOf(ctx.account, intent);
  if (charge) {
    charge.captured = true;
    charge.amount_captured = amount;
  }
  // A partial capture releases the rest of the hold: nothing more can be captured.
  intent.status = 'succeeded';
  intent.amount_received = amount;
  intent.amount_capturable = 0;
  intent.authorizedAt = null;
  emit(ctx, 'payment_intent.succeeded', intent, ctx.request);
  return ok(paymentIntentView(intent));
}

export function cancelIntent(ctx: OperationContext, intent: PaymentIntentRecord, params: Params): Answer {
  params.only(['cancellation_reason', 'expand']);
  const reason = params.oneOf('cancellation_reason', CANCELLATION_REASONS) ?? null;
  if (!CANCELABLE.includes(intent.status))
    return unexpectedState(
      `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent ` +
        `with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
    );
  intent.status = 'canceled';
  intent.cancellation_reason = reason;
  intent.canceled_at = ctx.state.now();
  intent.amount_capturable = 0;
  intent.next_action = null;
  intent.authorizedAt = null;
  emit(ctx, 'payment_intent.canceled', intent, ctx.request);
  return ok(paymentIntentView(intent));
}
