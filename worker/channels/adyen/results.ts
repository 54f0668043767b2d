/**
 * What Adyen's answer to /payments or /payments/details says of an attempt (its `resultCode`,
 * docs.adyen.com/online-payments/payment-result-codes). A 3-D Secure action is shown only when it
 * is a GET redirect (a URL the widget can open); any other answer Till cannot read fails the try
 * with processing_error and never pays.
 */
import { declineFailure } from '../card/decline-failure.ts';
import type { ChannelOutcome } from '../types.ts';
import { refusalFailure } from './declines.ts';

/** PaymentResponse and PaymentDetailsResponse, as far as Till reads them. */
export interface AdyenPaymentAnswer {
  resultCode?: unknown;
  pspReference?: unknown;
  merchantReference?: unknown;
  refusalReasonCode?: unknown;
  amount?: { value?: unknown; currency?: unknown };
  action?: { type?: unknown; method?: unknown; url?: unknown };
}

export function paymentOutcome(answer: AdyenPaymentAnswer, manualCapture: boolean): ChannelOutcome {
  const resultCode = typeof answer.resultCode === 'string' ? answer.resultCode : '';
  switch (resultCode) {
    case 'Authorised':
      return { status: manualCapture ? 'authorized' : 'succeeded' };
    case 'Refused':
    case 'Error':
      return { status: 'failed', failure: refusalFailure(resultCode, answer.refusalReasonCode) };
    case 'Pending':
    case 'Received':
      return { status: 'processing' };
    case 'Cancelled':
      return { status: 'canceled' };
    case 'RedirectShopper':
    case 'ChallengeShopper':
    case 'IdentifyShopper': {
      const { action } = answer;
      if (action?.type === 'redirect' && action.method === 'GET' && typeof action.url === 'string') {
        const url = action.url;
        if (/^https?:\/\//.test(url)) return { status: 'requires_action', nextAction: { type: 'three_ds', url } };
      }
      // A native 3-D Secure action (a fingerprint or challenge for Adyen's SDK): the shopper cannot finish it here.
      return {
        status: 'failed',
        failure: declineFailure('authentication_required', `${resultCode}/${String(action?.type ?? 'none')}`),
      };
    }
    default:
      return { status: 'failed', failure: declineFailure('processing_error', resultCode || 'unexpected_answer') };
  }
}
