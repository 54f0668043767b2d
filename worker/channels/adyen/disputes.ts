/**
 * Adyen's dispute webhooks, each a stage of one payment's dispute: the item's originalReference
 * names the disputed payment (and so the dispute: Adyen runs one chargeback cycle per payment), its
 * merchantReference Till's attempt, its amount what is disputed. The eventCode (signed) says the
 * stage; the scheme's reason code and the defence deadline come in additionalData, which Adyen does
 * not sign: Till shows them to the merchant and decides nothing on them.
 */
import type { DisputeReason, DisputeStatus } from '../../../shared/order-model.ts';
import type { DisputeFacts } from '../types.ts';
import type { NotificationItem } from './webhook.ts';

/**
 * Where each (signed) stage leaves the dispute. CHARGEBACK takes the money and waits on the
 * merchant's defence; whether one is possible comes unsigned (`defendable`), so it is only shown.
 */
const STAGES: Readonly<Record<string, DisputeStatus>> = {
  REQUEST_FOR_INFORMATION: 'inquiry',
  NOTIFICATION_OF_CHARGEBACK: 'needs_response',
  CHARGEBACK: 'needs_response',
  INFORMATION_SUPPLIED: 'under_review',
  CHARGEBACK_REVERSED: 'won',
  SECOND_CHARGEBACK: 'lost',
  PREARBITRATION_WON: 'won',
  PREARBITRATION_LOST: 'lost',
};

export const isDisputeEvent = (item: NotificationItem): boolean => Object.hasOwn(STAGES, item.eventCode ?? '');

/** Visa's and Mastercard's reason codes, in Till's words; any other is `general`. */
const SCHEME_REASONS: ReadonlyArray<[RegExp, DisputeReason]> = [
  [/^(10\.\d|4837|4840|4849|4863|4870|4871)$/, 'fraudulent'],
  [/^(13\.1|4855)$/, 'product_not_received'],
  [/^(13\.3|4853)$/, 'product_unacceptable'],
  [/^(12\.6(\.\d)?|4834)$/, 'duplicate'],
  [/^(13\.6|4860)$/, 'credit_not_processed'],
  [/^(13\.2|4841)$/, 'subscription_canceled'],
];

function reasonOf(code: string): DisputeReason {
  for (const [pattern, reason] of SCHEME_REASONS) if (pattern.test(code)) return reason;
  return 'general';
}

const unixSeconds = (iso: string | undefined): number | null => {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
};

/** The dispute stage an item reports, with the amount Till already read from its signed fields. */
export function adyenDispute(item: NotificationItem, amount: number, currency: DisputeFacts['currency']): DisputeFacts {
  const code = (item.additionalData?.chargebackReasonCode ?? '').trim();
  const undefendable = item.additionalData?.defendable === 'false' ? '(not defendable)' : '';
  return {
    processorDisputeId: item.originalReference || item.pspReference || '',
    amount,
    currency,
    status: STAGES[item.eventCode ?? ''] as DisputeStatus,
    reason: reasonOf(code),
    processorReason: [item.eventCode, code, undefendable].filter(Boolean).join(' '),
    evidenceDueBy: unixSeconds(item.additionalData?.defensePeriodEndsAt),
  };
}
