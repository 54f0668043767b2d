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

/** The shopper's bank disputes the intent's charge (control API): charge.dispute.created. */
export function openDispute(
  ctx: Pick<OperationContext, 'state' | 'account'>,
  intent: PaymentIntentRecord,
  reason: string,
): Answer {
  const charge = chargeOf(ctx.account, intent);
  if (!charge?.captured) return invalidRequest(`PaymentIntent ${intent.id} has no captured charge to dispute.`);
  charge.disputed = true;
  const dispute = {
    id: stripeId('dp'),
    object: 'dispute',
    amount: charge.amount_captured,
    charge: charge.id,
    created: ctx.state.now(),
    currency: charge.currency,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: intent.id,
    reason,
    status: 'needs_response',
  };
  const event = recordEvent(ctx.state, ctx.account, 'charge.dispute.created', dispute);
  return ok({ dispute, event: event.id });
}
