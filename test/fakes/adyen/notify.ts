/**
 * Adyen's standard webhook: one NotificationRequestItem per batch, signed with the account's HMAC
 * key by @adyen/api-library's own HmacValidator, POSTed fire-and-forget and retried until the
 * receiver answers the body `[accepted]`. Every delivery is kept for GET /_fake/notifications.
 */
import { hmacValidator } from '@adyen/api-library';
import { expiryDate } from './cards.ts';
import type { Account, AdyenState, Delivery, ModificationKind, Payment } from './state.ts';

/** Adyen retries for days; a local fake's gaps are short. */
const RETRY_GAPS_MS = [0, 200, 800];

/** The stages of a payment's dispute, sent through the control API. */
export const DISPUTE_EVENT_CODES = [
  'REQUEST_FOR_INFORMATION',
  'NOTIFICATION_OF_CHARGEBACK',
  'CHARGEBACK',
  'INFORMATION_SUPPLIED',
  'CHARGEBACK_REVERSED',
  'SECOND_CHARGEBACK',
  'PREARBITRATION_WON',
  'PREARBITRATION_LOST',
] as const;
export type DisputeEventCode = (typeof DISPUTE_EVENT_CODES)[number];

type EventCode = 'AUTHORISATION' | 'EXPIRE' | ModificationKind | DisputeEventCode;

interface Event {
  eventCode: EventCode;
  payment: Payment;
  /** The modification's own pspReference; the payment's is then originalReference. */
  pspReference?: string;
  /** The modification request's `reference`, which its webhook carries as merchantReference when given. */
  reference?: string | null;
  amount?: Payment['amount'];
  success: boolean;
  reason: string;
  /** Unsigned details a dispute stage carries (chargebackReasonCode, defensePeriodEndsAt, defendable). */
  details?: Record<string, string>;
}

/** Adyen's eventDate: ISO 8601 with an offset, no milliseconds. */
const eventDate = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

function buildItem(state: AdyenState, account: Account, event: Event): Record<string, unknown> {
  const { payment } = event;
  const modification = event.pspReference !== undefined;
  const item: Record<string, unknown> = {
    amount: { currency: (event.amount ?? payment.amount).currency, value: (event.amount ?? payment.amount).value },
    eventCode: event.eventCode,
    eventDate: eventDate(state.now()),
    merchantAccountCode: payment.merchantAccount,
    merchantReference: event.reference ?? payment.reference,
    ...(modification ? { originalReference: payment.pspReference } : {}),
    paymentMethod: payment.card.brand,
    pspReference: event.pspReference ?? payment.pspReference,
    reason: event.reason,
    success: event.success ? 'true' : 'false',
  };
  const additionalData: Record<string, string> = {
    ...event.details,
    paymentMethodVariant: payment.card.brand,
    ...(event.eventCode === 'AUTHORISATION'
      ? { cardSummary: payment.card.last4, expiryDate: expiryDate(payment.card), cardBin: payment.card.bin }
      : {}),
    ...(event.eventCode === 'AUTHORISATION' && payment.shopperReference
      ? { shopperReference: payment.shopperReference }
      : {}),
    // Adyen returns the payment's metadata in its AUTHORISATION webhook only.
    ...(event.eventCode === 'AUTHORISATION'
      ? Object.fromEntries(Object.entries(payment.metadata).map(([key, value]) => [`metadata.${key}`, value]))
      : {}),
  };
  additionalData.hmacSignature = new hmacValidator().calculateHmac(item as never, account.hmacKey);
  item.additionalData = additionalData;
  return item;
}

async function deliver(delivery: Delivery, body: string): Promise<void> {
  for (const gap of RETRY_GAPS_MS) {
    if (gap) await new Promise((resolve) => setTimeout(resolve, gap));
    try {
      const response = await fetch(delivery.url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(5000),
      });
      const text = await response.text();
      delivery.attempts.push({ status: response.status, body: text.slice(0, 200) });
      if (response.ok && text.trim() === '[accepted]') {
        delivery.accepted = true;
        return;
      }
    } catch (error) {
      delivery.attempts.push({ status: null, body: (error as Error).message });
    }
  }
}

/**
 * The item as Adyen would send it had it carried the payment's own reference as merchantReference
 * (Adyen's field description says so; its examples and Till's modification requests give the
 * modification's): signed again, for tests that check Till takes either.
 */
export function withPaymentReference(state: AdyenState, account: Account, item: Record<string, unknown>) {
  const payment = state.payments.get(String(item.originalReference ?? item.pspReference));
  if (!payment) return item;
  const { additionalData: _signed, ...unsigned } = item;
  const resent: Record<string, unknown> = { ...unsigned, merchantReference: payment.reference };
  resent.additionalData = { hmacSignature: new hmacValidator().calculateHmac(resent as never, account.hmacKey) };
  return resent;
}

/** The body Adyen POSTs: a batch of one item, from its test platform. */
export const batchBody = (item: Record<string, unknown>): string =>
  JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: item }] });

/** Records the event and sends it without waiting; the caller's answer never depends on the receiver. */
export function notify(state: AdyenState, event: Event): void {
  const account = state.accountOf(event.payment.merchantAccount);
  if (!account) return;
  const item = buildItem(state, account, event);
  const dropped = state.takeFault(account, 'drop_notifications') !== null;
  const delivery: Delivery = { item, url: account.webhookUrl, attempts: [], accepted: false, dropped };
  account.deliveries.push(delivery);
  if (dropped || !delivery.url) return;
  void deliver(delivery, batchBody(item));
}

/** AUTHORISATION's reason: "authCode:last4:MM/YYYY" when authorised, the refusal reason otherwise. */
export const authorisationReason = (payment: Payment): string =>
  payment.status === 'authorised' || payment.status === 'cancelled'
    ? `${payment.authCode}:${payment.card.last4}:${payment.card.expiryMonth}/${payment.card.expiryYear}`
    : (payment.refusalReason ?? '');
