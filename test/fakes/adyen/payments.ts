/**
 * POST /payments and /payments/details (CheckoutService-v71: PaymentRequest → PaymentResponse,
 * PaymentDetailsRequest → PaymentDetailsResponse), and finishing a 3-D Secure 2 challenge.
 */
import { expiryDate, isChallengeCard, type Outcome, outcomeOf, readCard } from './cards.ts';
import { AdyenError, invalidMerchantAccount, invalidPayload } from './errors.ts';
import { authorisationReason, notify } from './notify.ts';
import { type Account, type AdyenState, newPspReference, opaqueToken, type Payment, randomCode } from './state.ts';

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Amount as Adyen checks it: an object with an integer value in minor units and an ISO 4217 code. */
export function readAmount(value: unknown): Payment['amount'] {
  if (!isObject(value)) throw new AdyenError(422, '100', "Required object 'amount' is not provided.");
  if (!Number.isSafeInteger(value.value) || (value.value as number) < 0)
    throw new AdyenError(422, '137', "Field 'amount' is not valid.");
  if (typeof value.currency !== 'string' || !/^[A-Z]{3}$/.test(value.currency))
    throw new AdyenError(422, '138', 'Unsupported currency specified');
  return { value: value.value as number, currency: value.currency };
}

export function checkMerchantAccount(account: Account, body: Json): void {
  if (typeof body.merchantAccount !== 'string' || !body.merchantAccount)
    throw new AdyenError(422, '000', "Required field 'merchantAccount' is not provided.");
  if (body.merchantAccount !== account.merchantAccount) throw invalidMerchantAccount();
}

const additionalDataOf = (body: Json): Record<string, string> =>
  isObject(body.additionalData)
    ? Object.fromEntries(Object.entries(body.additionalData).map(([key, value]) => [key, String(value)]))
    : {};

/** The answer's fields for a payment as it stands; never the card number or CVC. */
export function paymentResponse(payment: Payment, resultCode: string): Json {
  const authorised = resultCode === 'Authorised';
  return {
    additionalData: {
      cardSummary: payment.card.last4,
      cardBin: payment.card.bin,
      paymentMethod: payment.card.brand,
      expiryDate: expiryDate(payment.card),
      ...(authorised ? { authCode: payment.authCode ?? '', refusalReasonRaw: 'AUTHORISED' } : {}),
    },
    amount: payment.amount,
    merchantReference: payment.reference,
    ...(authorised ? { paymentMethod: { brand: payment.card.brand, type: 'scheme' } } : {}),
    pspReference: payment.pspReference,
    ...(payment.refusalReason ? { refusalReason: payment.refusalReason } : {}),
    ...(payment.refusalReasonCode ? { refusalReasonCode: payment.refusalReasonCode } : {}),
    resultCode,
  };
}

const STATUS_BY_RESULT: Record<Outcome['resultCode'], Payment['status']> = {
  Authorised: 'authorised',
  Refused: 'refused',
  Error: 'error',
  Cancelled: 'cancelled',
  Received: 'authorised',
};

/** Applies an authorisation outcome, captures at once unless capture is manual or delayed, and notifies. */
function settle(state: AdyenState, payment: Payment, outcome: Outcome): void {
  payment.status = STATUS_BY_RESULT[outcome.resultCode];
  payment.refusalReason = outcome.refusalReason;
  payment.refusalReasonCode = outcome.refusalReasonCode;
  if (payment.status === 'authorised') {
    payment.authCode = randomCode(6, '0123456789');
    if (!payment.manualCapture) payment.captured = payment.amount.value;
  }
  // A "Received" (pending) payment is only told of when it completes; the fake authorises it at once.
  notify(state, {
    eventCode: 'AUTHORISATION',
    payment,
    success: payment.status === 'authorised',
    reason: authorisationReason(payment),
  });
}

export function createPayment(state: AdyenState, account: Account, body: Json, origin: string): Json {
  checkMerchantAccount(account, body);
  const amount = readAmount(body.amount);
  if (typeof body.reference !== 'string' || !body.reference) throw new AdyenError(422, '130', 'Reference Missing');
  if (body.reference.length > 80) throw new AdyenError(422, '198', 'Reference may not exceed 79 characters');
  if (!isObject(body.paymentMethod))
    throw new AdyenError(422, '14_006', 'paymentMethod object has not been provided in the request');
  if (typeof body.returnUrl !== 'string' || !body.returnUrl)
    throw new AdyenError(422, '14_030', 'Return URL is missing.');
  const { card, holderName } = readCard(body.paymentMethod);
  const additionalData = additionalDataOf(body);
  const delayHours = typeof body.captureDelayHours === 'number' ? body.captureDelayHours : 0;
  const payment: Payment = {
    pspReference: newPspReference(),
    merchantAccount: account.merchantAccount,
    reference: body.reference,
    amount,
    returnUrl: body.returnUrl,
    card,
    holderName,
    status: 'redirect_pending',
    manualCapture: additionalData.manualCapture === 'true' || delayHours > 0,
    captureAt: delayHours > 0 ? state.now() + delayHours * 3600_000 : null,
    captured: 0,
    refunded: 0,
    captureRequested: false,
    refusalReason: null,
    refusalReasonCode: null,
    authCode: null,
    createdAt: state.now(),
    shopperReference: typeof body.shopperReference === 'string' ? body.shopperReference : null,
    metadata: isObject(body.metadata)
      ? Object.fromEntries(Object.entries(body.metadata).map(([key, value]) => [key, String(value)]))
      : {},
    modifications: [],
  };
  state.payments.set(payment.pspReference, payment);
  const requestedCode = additionalData.RequestedTestAcquirerResponseCode;
  if (isChallengeCard(body.paymentMethod)) {
    // nativeThreeDS "preferred" is allowed to fall back to the redirect flow; the fake always does.
    const token = opaqueToken();
    state.challenges.set(token, { token, pspReference: payment.pspReference, requestedCode, done: false });
    return {
      action: { method: 'GET', paymentMethodType: 'scheme', type: 'redirect', url: `${origin}/_fake/3ds/${token}` },
      additionalData: {
        cardSummary: card.last4,
        cardBin: card.bin,
        paymentMethod: card.brand,
        'threeds2.cardEnrolled': 'true',
      },
      amount,
      merchantReference: payment.reference,
      pspReference: payment.pspReference,
      resultCode: 'RedirectShopper',
    };
  }
  const outcome = outcomeOf(card, holderName, requestedCode, state.now());
  settle(state, payment, outcome);
  return paymentResponse(payment, outcome.resultCode);
}

/** The shopper finished the challenge page: authorise (or refuse), notify, and hand out a redirectResult. */
export function completeChallenge(state: AdyenState, token: string, authenticated: boolean): Payment | null {
  const challenge = state.challenges.get(token);
  const payment = challenge ? state.payments.get(challenge.pspReference) : undefined;
  if (!challenge || !payment || challenge.done) return null;
  challenge.done = true;
  if (payment.status === 'redirect_pending') {
    const outcome: Outcome = authenticated
      ? outcomeOf(payment.card, payment.holderName, challenge.requestedCode, state.now())
      : { resultCode: 'Refused', refusalReasonCode: '11', refusalReason: '3D Not Authenticated' };
    settle(state, payment, outcome);
  }
  return payment;
}

export function newRedirectResult(state: AdyenState, payment: Payment): string {
  const redirectResult = opaqueToken();
  state.redirectResults.set(redirectResult, payment.pspReference);
  return redirectResult;
}

const RESULT_BY_STATUS: Record<Payment['status'], string> = {
  authorised: 'Authorised',
  refused: 'Refused',
  error: 'Error',
  cancelled: 'Cancelled',
  expired: 'Authorised',
  redirect_pending: 'RedirectShopper',
};

export function paymentDetails(state: AdyenState, account: Account, body: Json): Json {
  const details = isObject(body.details) ? body.details : null;
  if (!details) throw new AdyenError(422, '000', "Required field 'details' is not provided.");
  const redirectResult = typeof details.redirectResult === 'string' ? details.redirectResult : '';
  const pspReference = state.redirectResults.get(redirectResult);
  const payment = pspReference ? state.payments.get(pspReference) : undefined;
  if (!payment || payment.merchantAccount !== account.merchantAccount) throw invalidPayload();
  state.redirectResults.delete(redirectResult);
  return paymentResponse(payment, RESULT_BY_STATUS[payment.status]);
}
