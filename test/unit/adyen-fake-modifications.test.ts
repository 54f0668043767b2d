/**
 * The Adyen fake's modifications through @adyen/api-library's ModificationsApi: captures, cancels,
 * the standalone cancel by reference, refunds, the clock, webhook delivery and faults. Each
 * outcome arrives in a webhook checked with the library's HmacValidator.
 */
import { hmacValidator, type Types } from '@adyen/api-library';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startAdyenFake } from '../fakes/adyen/index.ts';
import type { RunningFake } from '../fakes/serve.ts';
import {
  type Account,
  adyenFailure,
  card,
  checkoutFor,
  control,
  newAccount,
  paymentRequest,
  startReceiver,
} from './adyen-helpers.ts';

type Item = Types.notification.NotificationRequestItem;

let fake: RunningFake;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let account: Account;

beforeAll(async () => {
  fake = await startAdyenFake({ port: 0 });
  receiver = await startReceiver();
});
beforeEach(async () => {
  account = await newAccount(fake.url);
  await control(fake.url, '/_fake/webhooks', { api_key: account.api_key, url: receiver.server.url });
});
afterAll(async () => {
  await fake.close();
  await receiver.server.close();
});

const api = () => checkoutFor(fake.url, account.api_key);
const eur = (value: number) => ({ value, currency: 'EUR' });

async function authorise(manual: boolean): Promise<string> {
  const extra = manual ? { additionalData: { manualCapture: 'true' } } : {};
  const response = await api().PaymentsApi.payments(paymentRequest(account, card('5555341244441115'), extra));
  expect(response.resultCode).toBe('Authorised');
  return response.pspReference!;
}

/** The webhook item about `pspReference` (the modification's own), once it arrived and verified. */
async function webhook(pspReference: string): Promise<Item> {
  let found: Item | undefined;
  await vi.waitFor(
    () => {
      found = receiver.items(account.merchant_account).find((item) => item.pspReference === pspReference);
      expect(found).toBeDefined();
    },
    { timeout: 5000 },
  );
  expect(new hmacValidator().validateHMAC(found!, account.hmac_key)).toBe(true);
  return found!;
}

const payment = (pspReference: string) =>
  control<{ status: string; captured: number; refunded: number; cancelled: boolean }>(
    fake.url,
    `/_fake/payments/${pspReference}`,
  );

describe('captures and cancels', () => {
  it('captures part of a manual-capture payment once; the rest is not capturable', async () => {
    const psp = await authorise(true);
    expect(await payment(psp)).toMatchObject({ status: 'authorised', captured: 0 });
    const received = await api().ModificationsApi.captureAuthorisedPayment(psp, {
      merchantAccount: account.merchant_account,
      amount: eur(1000),
      reference: 'cap_1',
    });
    expect(received).toMatchObject({
      paymentPspReference: psp,
      status: 'received',
      amount: eur(1000),
      reference: 'cap_1',
    });
    expect(await webhook(received.pspReference)).toMatchObject({
      eventCode: 'CAPTURE',
      success: 'true',
      originalReference: psp,
    });
    expect(await payment(psp)).toMatchObject({ captured: 1000 });
    const again = await api().ModificationsApi.captureAuthorisedPayment(psp, {
      merchantAccount: account.merchant_account,
      amount: eur(500),
    });
    expect(await webhook(again.pspReference)).toMatchObject({ success: 'false', reason: 'Payment already captured' });
  });

  it('does not capture an automatically captured payment again', async () => {
    const psp = await authorise(false);
    expect(await payment(psp)).toMatchObject({ captured: 2500 });
    const capture = await api().ModificationsApi.captureAuthorisedPayment(psp, {
      merchantAccount: account.merchant_account,
      amount: eur(2500),
    });
    expect(await webhook(capture.pspReference)).toMatchObject({ success: 'false' });
  });

  it('cancels an authorisation, and then refuses to capture it', async () => {
    const psp = await authorise(true);
    const cancel = await api().ModificationsApi.cancelAuthorisedPaymentByPspReference(psp, {
      merchantAccount: account.merchant_account,
    });
    expect(await webhook(cancel.pspReference)).toMatchObject({ eventCode: 'CANCELLATION', success: 'true' });
    expect(await payment(psp)).toMatchObject({ status: 'cancelled', cancelled: true });
    const capture = await api().ModificationsApi.captureAuthorisedPayment(psp, {
      merchantAccount: account.merchant_account,
      amount: eur(1),
    });
    expect(await webhook(capture.pspReference)).toMatchObject({
      success: 'false',
      reason: 'Payment has been cancelled',
    });
  });

  it('cancels by the merchant reference (technical cancel)', async () => {
    const request = paymentRequest(account, card('4242424242424242'));
    const { pspReference } = await api().PaymentsApi.payments(request);
    const cancel = await api().ModificationsApi.cancelAuthorisedPayment({
      merchantAccount: account.merchant_account,
      paymentReference: request.reference,
      reference: 'tc_1',
    });
    expect(cancel).toMatchObject({ paymentReference: request.reference, status: 'received', reference: 'tc_1' });
    expect(await webhook(cancel.pspReference)).toMatchObject({
      eventCode: 'TECHNICAL_CANCEL',
      success: 'true',
      originalReference: pspReference,
    });
    expect(await payment(pspReference!)).toMatchObject({ status: 'cancelled', captured: 0 });
  });

  it('answers an unknown pspReference with a 422', async () => {
    const failure = await adyenFailure(
      api().ModificationsApi.captureAuthorisedPayment('NOPE0000NOPE0000', {
        merchantAccount: account.merchant_account,
        amount: eur(1),
      }),
    );
    expect(failure).toMatchObject({ status: 422, errorCode: '167' });
  });
});

describe('refunds', () => {
  it('refunds in parts, never above what was captured, and not before a capture', async () => {
    const psp = await authorise(false);
    const refund = (value: number) =>
      api().ModificationsApi.refundCapturedPayment(psp, {
        merchantAccount: account.merchant_account,
        amount: eur(value),
      });
    expect(await webhook((await refund(1000)).pspReference)).toMatchObject({
      eventCode: 'REFUND',
      success: 'true',
      amount: eur(1000),
    });
    expect(await webhook((await refund(1000)).pspReference)).toMatchObject({ success: 'true' });
    expect(await webhook((await refund(501)).pspReference)).toMatchObject({
      success: 'false',
      reason: 'Refund amount exceeds the captured amount',
    });
    expect(await payment(psp)).toMatchObject({ captured: 2500, refunded: 2000 });

    const manual = await authorise(true);
    const early = await api().ModificationsApi.refundCapturedPayment(manual, {
      merchantAccount: account.merchant_account,
      amount: eur(1),
    });
    expect(await webhook(early.pspReference)).toMatchObject({
      success: 'false',
      reason: "Transaction hasn't been captured, refund not possible",
    });
  });
});

describe('the clock', () => {
  it('expires a manual-capture authorisation left uncaptured for 7 days', async () => {
    const psp = await authorise(true);
    await control(fake.url, '/_fake/clock', { advance_seconds: 6 * 86400 });
    expect(await payment(psp)).toMatchObject({ status: 'authorised' });
    await control(fake.url, '/_fake/clock', { advance_seconds: 86400 });
    expect(await payment(psp)).toMatchObject({ status: 'expired' });
    await vi.waitFor(() =>
      expect(receiver.items(account.merchant_account).some((item) => item.eventCode === 'EXPIRE')).toBe(true),
    );
    const expire = receiver.items(account.merchant_account).find((item) => item.eventCode === 'EXPIRE')!;
    expect(expire).toMatchObject({ pspReference: psp, success: 'true', amount: eur(2500) });
    expect(new hmacValidator().validateHMAC(expire, account.hmac_key)).toBe(true);
  });
});

describe('disputes', () => {
  it('sends each stage of a captured payment’s dispute, signed, with the scheme’s reason and deadline', async () => {
    const psp = await authorise(false);
    const sent = await control<{ pspReference: string }>(fake.url, `/_fake/payments/${psp}/dispute`, {
      eventCode: 'NOTIFICATION_OF_CHARGEBACK',
      reasonCode: '4855',
      value: 1000,
    });
    const item = await webhook(sent.pspReference);
    expect(item).toMatchObject({
      eventCode: 'NOTIFICATION_OF_CHARGEBACK',
      originalReference: psp,
      amount: eur(1000),
      success: 'true',
      additionalData: expect.objectContaining({ chargebackReasonCode: '4855', defendable: 'true' }),
    });
    expect(Date.parse(item.additionalData!.defensePeriodEndsAt!)).toBeGreaterThan(Date.now());
    const authorisedOnly = await authorise(true);
    const refused = await fetch(`${fake.url}/_fake/payments/${authorisedOnly}/dispute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ eventCode: 'CHARGEBACK' }),
    });
    expect(refused.status).toBe(409);
  });
});

describe('webhook delivery and faults', () => {
  const notifications = () =>
    control<{
      deliveries: Array<{ item: Item; attempts: Array<{ body: string }>; accepted: boolean; dropped: boolean }>;
    }>(fake.url, `/_fake/notifications?api_key=${account.api_key}`);
  const fault = (kind: string, extra: Record<string, unknown> = {}) =>
    control(fake.url, '/_fake/faults', { api_key: account.api_key, kind, ...extra });

  it('retries until the receiver answers [accepted], and records each answer', async () => {
    receiver.answers.push('ok', '');
    await authorise(false);
    await vi.waitFor(async () => expect((await notifications()).deliveries[0]?.accepted).toBe(true), { timeout: 5000 });
    expect((await notifications()).deliveries[0]!.attempts.map((a) => a.body)).toEqual(['ok', '', '[accepted]']);
  });

  it('server_error answers 500 without acting; down until reset', async () => {
    await fault('server_error');
    const request = paymentRequest(account, card('4111111145551142'));
    expect(await adyenFailure(api().PaymentsApi.payments(request))).toMatchObject({ status: 500 });
    const none = await control<{ payments: unknown[] }>(
      fake.url,
      `/_fake/payments?api_key=${account.api_key}&reference=${request.reference}`,
    );
    expect(none.payments).toHaveLength(0);
    expect((await api().PaymentsApi.payments(request)).resultCode).toBe('Authorised');
    await fault('down');
    expect(await adyenFailure(api().PaymentsApi.payments(request))).toMatchObject({ status: 500 });
    expect(await adyenFailure(api().PaymentsApi.payments(request))).toMatchObject({ status: 500 });
    await fault('reset');
    expect((await api().PaymentsApi.payments(request)).resultCode).toBe('Authorised');
  });

  it('slow acts first and answers later; drop_notifications records but never sends', async () => {
    await fault('slow', { delay_ms: 300 });
    const request = paymentRequest(account, card('4111111145551142'));
    const answered = api().PaymentsApi.payments(request);
    await vi.waitFor(async () => {
      const made = await control<{ payments: unknown[] }>(
        fake.url,
        `/_fake/payments?api_key=${account.api_key}&reference=${request.reference}`,
      );
      expect(made.payments).toHaveLength(1);
    });
    expect((await answered).resultCode).toBe('Authorised');
    await fault('drop_notifications');
    const psp = await authorise(false);
    const dropped = (await notifications()).deliveries.find((d) => d.item.pspReference === psp);
    expect(dropped).toMatchObject({ dropped: true, accepted: false, attempts: [] });
    expect(receiver.items(account.merchant_account).some((item) => item.pspReference === psp)).toBe(false);
  });
});
