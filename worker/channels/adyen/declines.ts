/**
 * Adyen's refusal reasons in Till's words (shared/card-declines.ts), Adyen's raw refusalReasonCode
 * kept for the merchant (docs.adyen.com/development-resources/refusal-reasons). An API answer
 * carries the code; a webhook's AUTHORISATION carries only the reason's text in `reason`, so both
 * lead to the same entry.
 */
import type { CardDeclineCode } from '../../../shared/card-declines.ts';
import type { Failure } from '../../../shared/schemas.ts';
import { declineFailure } from '../card/decline-failure.ts';

/** [refusalReasonCode, refusalReason, Till's code]. */
const REFUSALS: ReadonlyArray<readonly [string, string, CardDeclineCode]> = [
  ['0', 'Unknown', 'processing_error'],
  ['2', 'Refused', 'card_declined'],
  ['3', 'Referral', 'card_declined'],
  ['4', 'Acquirer Error', 'processing_error'],
  ['5', 'Blocked Card', 'card_declined'],
  ['6', 'Expired Card', 'expired_card'],
  ['7', 'Invalid Amount', 'invalid_amount'],
  ['8', 'Invalid Card Number', 'incorrect_number'],
  ['9', 'Issuer Unavailable', 'try_again_later'],
  ['10', 'Not supported', 'card_not_supported'],
  ['11', '3D Not Authenticated', 'authentication_required'],
  ['12', 'Not enough balance', 'insufficient_funds'],
  ['14', 'Acquirer Fraud', 'fraudulent'],
  ['15', 'Cancelled', 'card_declined'],
  ['16', 'Shopper Cancelled', 'card_declined'],
  ['17', 'Invalid Pin', 'card_declined'],
  ['18', 'Pin tries exceeded', 'card_declined'],
  ['19', 'Pin validation not possible', 'card_declined'],
  ['20', 'FRAUD', 'fraudulent'],
  ['21', 'Not Submitted', 'processing_error'],
  ['22', 'FRAUD-CANCELLED', 'fraudulent'],
  ['23', 'Transaction Not Permitted', 'card_not_supported'],
  ['24', 'CVC Declined', 'incorrect_cvc'],
  ['25', 'Restricted Card', 'card_not_supported'],
  ['26', 'Revocation Of Auth', 'card_declined'],
  ['27', 'Declined Non Generic', 'card_declined'],
  ['28', 'Withdrawal amount exceeded', 'card_velocity_exceeded'],
  ['29', 'Withdrawal count exceeded', 'card_velocity_exceeded'],
  ['31', 'Issuer Suspected Fraud', 'fraudulent'],
  ['32', 'AVS Declined', 'card_declined'],
  ['33', 'Card requires online pin', 'card_declined'],
  ['34', 'No checking account available on Card', 'card_not_supported'],
  ['35', 'No savings account available on Card', 'card_not_supported'],
  ['36', 'Mobile pin required', 'card_declined'],
  ['37', 'Contactless fallback', 'card_declined'],
  ['38', 'Authentication required', 'authentication_required'],
  ['39', 'RReq not received from DS', 'authentication_required'],
  ['42', '3DS Authentication Error', 'authentication_required'],
  ['46', 'Transaction blocked by Adyen to prevent excessive retry fees', 'card_declined'],
];

const BY_CODE = new Map(REFUSALS.map(([code, , till]) => [code, till]));
const BY_TEXT = new Map(REFUSALS.map(([code, text, till]) => [text.toLowerCase(), [code, till] as const]));

/** An API answer's refusal (Refused or Error): a code Adyen gave, or none for an Error without one. */
export function refusalFailure(resultCode: string, refusalReasonCode: unknown): Failure {
  const code = typeof refusalReasonCode === 'string' ? refusalReasonCode : null;
  if (code === null) return declineFailure(resultCode === 'Error' ? 'processing_error' : 'card_declined', resultCode);
  return declineFailure(BY_CODE.get(code) ?? 'card_declined', code);
}

/** A webhook's refusal, from its `reason` text; the code Adyen uses for it when the text is known. */
export function refusalFailureFromReason(reason: string): Failure {
  const known = BY_TEXT.get(reason.trim().toLowerCase());
  return known ? declineFailure(known[1], known[0]) : declineFailure('card_declined', reason.slice(0, 80) || 'Refused');
}
