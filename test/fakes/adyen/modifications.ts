/**
 * Captures, cancels, refunds and the standalone cancel by merchant reference. Adyen answers each
 * with 201 `status: received` once the request is well formed and tells the outcome later, in a
 * CAPTURE / CANCELLATION / REFUND / TECHNICAL_CANCEL webhook (success "false" with a reason when
 * it failed); so does the fake. Also the clock's work: delayed captures and expired authorisations.
 */
import { AdyenError, unknownPayment } from './errors.ts';
import { notify } from './notify.ts';
import { checkMerchantAccount, type Json, readAmount } from './payments.ts';
import { type Account, type AdyenState, type ModificationKind, newPspReference, type Payment } from './state.ts';

/** How long an uncaptured card authorisation lives (Adyen's depends on scheme; 7 days is common). */
export const AUTHORISATION_VALIDITY_MS = 7 * 24 * 3600_000;

type Check = (payment: Payment, amount: Payment['amount']) => string | null;

const livePayment = (payment: Payment): string | null => {
  if (payment.status === 'cancelled') return 'Payment has been cancelled';
  if (payment.status === 'expired') return 'Authorisation has expired';
  if (payment.status !== 'authorised') return 'Transaction not authorised';
  return null;
};

const sameCurrency = (payment: Payment, amount: Payment['amount']): string | null =>
  amount.currency === payment.amount.currency ? null : 'Currency does not match the original payment';

const CHECKS: Record<ModificationKind, Check> = {
  CAPTURE: (payment, amount) =>
    livePayment(payment) ??
    sameCurrency(payment, amount) ??
    (!payment.manualCapture || payment.captureRequested ? 'Payment already captured' : null) ??
    (amount.value > payment.amount.value ? 'Capture amount exceeds the authorised amount' : null),
  // An auto-captured card payment can still be voided until it is settled, as on Adyen's platform.
  CANCELLATION: (payment) =>
    livePayment(payment) ??
    (payment.captureRequested ? 'Payment has been captured, refund it instead' : null) ??
    (payment.refunded > 0 ? 'Payment has been refunded' : null),
  TECHNICAL_CANCEL: (payment) => CHECKS.CANCELLATION(payment, payment.amount),
  REFUND: (payment, amount) =>
    (payment.status === 'authorised' || payment.status === 'expired' ? null : livePayment(payment)) ??
    sameCurrency(payment, amount) ??
    (payment.captured === 0 ? "Transaction hasn't been captured, refund not possible" : null) ??
    (payment.refunded + amount.value > payment.captured ? 'Refund amount exceeds the captured amount' : null),
};

function apply(kind: ModificationKind, payment: Payment, amount: Payment['amount']): void {
  if (kind === 'CAPTURE') {
    payment.captureRequested = true;
    payment.captured = amount.value;
    // By default the part left uncaptured after a partial capture is cancelled.
    payment.captureAt = null;
  } else if (kind === 'REFUND') payment.refunded += amount.value;
  else {
    payment.status = 'cancelled';
    payment.captured = 0;
  }
}

/** Checks, applies and notifies at once; the API answer itself says only "received". */
function modify(
  state: AdyenState,
  kind: ModificationKind,
  payment: Payment,
  amount: Payment['amount'],
  reference: string | null,
) {
  const pspReference = newPspReference();
  const failure = CHECKS[kind](payment, amount);
  if (!failure) apply(kind, payment, amount);
  payment.modifications.push({ kind, pspReference, reference, amount, success: !failure, reason: failure ?? '' });
  notify(state, {
    eventCode: kind,
    payment,
    pspReference,
    reference,
    amount,
    success: !failure,
    reason: failure ?? '',
  });
  return pspReference;
}

const referenceOf = (body: Json): string | null => (typeof body.reference === 'string' ? body.reference : null);

export function modifyPayment(
  state: AdyenState,
  account: Account,
  pspReference: string,
  action: 'captures' | 'cancels' | 'refunds',
  body: Json,
): Json {
  checkMerchantAccount(account, body);
  const payment = state.payments.get(pspReference);
  if (!payment || payment.merchantAccount !== account.merchantAccount) throw unknownPayment();
  const amount = action === 'cancels' ? payment.amount : readAmount(body.amount);
  const kind = ({ captures: 'CAPTURE', cancels: 'CANCELLATION', refunds: 'REFUND' } as const)[action];
  const reference = referenceOf(body);
  const modification = modify(state, kind, payment, amount, reference);
  return {
    merchantAccount: account.merchantAccount,
    paymentPspReference: payment.pspReference,
    pspReference: modification,
    ...(reference !== null ? { reference } : {}),
    status: 'received',
    ...(action === 'cancels' ? {} : { amount }),
  };
}

/** POST /cancels: cancel by the payment's own reference, for when its pspReference never arrived. */
export function cancelByReference(state: AdyenState, account: Account, body: Json): Json {
  checkMerchantAccount(account, body);
  if (typeof body.paymentReference !== 'string' || !body.paymentReference)
    throw new AdyenError(422, '000', "Required field 'paymentReference' is not provided.");
  const reference = referenceOf(body);
  const payments = state.paymentsByReference(account.merchantAccount, body.paymentReference);
  // The latest payment under the reference; with none, the request is received and nothing happens.
  const payment = payments.at(-1);
  const pspReference = payment
    ? modify(state, 'TECHNICAL_CANCEL', payment, payment.amount, reference)
    : newPspReference();
  return {
    merchantAccount: account.merchantAccount,
    paymentReference: body.paymentReference,
    pspReference,
    ...(reference !== null ? { reference } : {}),
    status: 'received',
  };
}

/** What the passing of time does: delayed automatic captures happen, uncaptured authorisations expire. */
export function runClock(state: AdyenState): void {
  const now = state.now();
  for (const payment of state.payments.values()) {
    if (payment.status !== 'authorised' || !payment.manualCapture || payment.captureRequested) continue;
    if (payment.captureAt !== null && payment.captureAt <= now) {
      payment.captureRequested = true;
      payment.captured = payment.amount.value;
    } else if (payment.createdAt + AUTHORISATION_VALIDITY_MS <= now) {
      payment.status = 'expired';
      notify(state, { eventCode: 'EXPIRE', payment, success: true, reason: '' });
    }
  }
}
