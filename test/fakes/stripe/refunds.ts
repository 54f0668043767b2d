/**
 * Refunds of a PaymentIntent's captured charge (never more than was captured and not yet
 * refunded), and disputes opened through the control API. Each records its charge.* event.
 */
import { type Answer, invalidRequest, type OperationContext, ok } from './answers.ts';
import { chargeObject, chargeOf } from './charging.ts';
import { recordEvent } from './events.ts';
import { ParamError, type Params } from './form.ts';
import { type PaymentIntentRecord, type RefundRecord, stripeId } from './objects.ts';

const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

export function createRefund(ctx: OperationContext, params: Params): Answer {
  params.only(['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand']);
  const intentId = params.string('payment_intent');
  const chargeId = params.string('charge');
  if (intentId === undefined && chargeId === undefined)
    throw new ParamError(
      'One of the following params should be provided for this request: payment_intent or charge.',
      'payment_intent',
      'parameter_missing',
    );
  const requested = params.integer('amount');
  if (requested === 0)
    throw new ParamError('This value must be greater than or equal to 1.', 'amount', 'parameter_invalid_integer');
  const reason = params.oneOf('reason', REFUND_REASONS) ?? null;
  const metadata = params.metadata() ?? {};
  const { account } = ctx;
  const intent = intentId !== undefined ? account.intents.get(intentId) : undefined;
  if (intentId !== undefined && !intent)
    return invalidRequest(`No such payment_intent: '${intentId}'`, {
      param: 'payment_intent',
      code: 'resource_missing',
    });
  const charge = intent ? chargeOf(account, intent) : account.charges.get(chargeId ?? '');
  if (!intent && !charge)
    return invalidRequest(`No such charge: '${chargeId}'`, { param: 'charge', code: 'resource_missing' });
  if (charge?.status !== 'succeeded' || !charge.captured)
    return invalidRequest(
      intent
        ? `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`
        : `Charge ${charge?.id} has not been captured: cancel its PaymentIntent instead.`,
      { param: intent ? 'payment_intent' : 'charge' },
    );
  const refunded = account.refundsOf(charge.id).reduce((sum, refund) => sum + refund.amount, 0);
  const left = charge.amount_captured - refunded;
  if (left === 0)
    return invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
  const amount = requested ?? left;
  if (amount > left)
    return invalidRequest(
      `Refund amount (${amount} ${charge.currency}) is greater than unrefunded amount on charge ` +
        `(${left} ${charge.currency})`,
      { param: 'amount', code: 'amount_too_large' },
    );
  const refund: RefundRecord = {
    id: stripeId('re'),
    object: 'refund',
    amount,
    charge: charge.id,
    created: ctx.state.now(),
    currency: charge.currency,
    metadata,
    payment_intent: charge.payment_intent,
    reason,
    status: 'succeeded',
  };
  account.refunds.set(refund.id, refund);
  charge.refundIds.push(refund.id);
  recordEvent(ctx.state, account, 'charge.refunded', chargeObject(account, charge), ctx.request);
  return ok(refund);
}

/** How long Stripe gives to answer a chargeback with evidence (about three weeks, network by network). */
const EVIDENCE_WINDOW_SECONDS = 21 * 24 * 3600;
/** Where a dispute may end: a chargeback is won or lost, an inquiry (warning) closes. */
const CLOSING: Readonly<Record<string, readonly string[]>> = {
  needs_response: ['won', 'lost'],
  under_review: ['won', 'lost'],
  warning_needs_response: ['warning_closed'],
  warning_under_review: ['warning_closed'],
};

/**
 * The shopper's bank disputes the intent's charge (control API): charge.dispute.created, and for a
 * chargeback (not an inquiry, status `warning_needs_response`) charge.dispute.funds_withdrawn.
 */
export function openDispute(
  ctx: Pick<OperationContext, 'state' | 'account'>,
  intent: PaymentIntentRecord,
  options: { reason: string; status: string; amount: number | null },
): Answer {
  const charge = chargeOf(ctx.account, intent);
  if (!charge?.captured) return invalidRequest(`PaymentIntent ${intent.id} has no captured charge to dispute.`);
  if (!['needs_response', 'warning_needs_response'].includes(options.status))
    return invalidRequest('A dispute opens as needs_response or warning_needs_response.');
  const amount = options.amount ?? charge.amount_captured;
  if (amount < 1 || amount > charge.amount_captured)
    return invalidRequest(`A dispute of ${intent.id} is for 1 to ${charge.amount_captured}.`);
  charge.disputed = true;
  const created = ctx.state.now();
  const dispute = {
    id: stripeId('dp'),
    object: 'dispute',
    amount,
    balance_transactions: [],
    charge: charge.id,
    created,
    currency: charge.currency,
    evidence_details: {
      due_by: created + EVIDENCE_WINDOW_SECONDS,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: options.status.startsWith('warning_'),
    livemode: false,
    metadata: {},
    payment_intent: intent.id,
    reason: options.reason,
    status: options.status,
  };
  ctx.account.disputes.set(dispute.id, dispute);
  const event = recordEvent(ctx.state, ctx.account, 'charge.dispute.created', { ...dispute });
  if (options.status === 'needs_response')
    recordEvent(ctx.state, ctx.account, 'charge.dispute.funds_withdrawn', { ...dispute });
  return ok({ dispute, event: event.id });
}

/** The dispute ends (control API): charge.dispute.closed, and funds_reinstated when the merchant won. */
export function closeDispute(
  ctx: Pick<OperationContext, 'state' | 'account'>,
  dispute: Record<string, unknown>,
  status: string,
): Answer {
  if (!CLOSING[String(dispute.status)]?.includes(status))
    return invalidRequest(`A dispute that is ${String(dispute.status)} cannot end ${status}.`);
  dispute.status = status;
  const event = recordEvent(ctx.state, ctx.account, 'charge.dispute.closed', { ...dispute });
  if (status === 'won') recordEvent(ctx.state, ctx.account, 'charge.dispute.funds_reinstated', { ...dispute });
  return ok({ dispute, event: event.id });
}
