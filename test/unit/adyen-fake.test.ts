/**
 * The Adyen fake driven by @adyen/api-library's own CheckoutAPI (see adyen-helpers.ts for the
 * transport): authorisation, refusals, validation, 3-D Secure 2, idempotency, auth errors, faults.
 * Modifications, the clock and webhooks are in adyen-fake-modifications.test.ts.
 */
import { hmacValidator } from '@adyen/api-library';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADYEN_TEST_API_KEY, ADYEN_TEST_HMAC_KEY, ADYEN_TEST_MERCHANT_ACCOUNT } from '../fakes/adyen/account.ts';
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

let fake: RunningFake;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let account: Account;

beforeAll(async () => {
  fake = await startAdyenFake({ port: 0 });
  receiver = await startReceiver();
  account = await newAccount(fake.url);
  await control(fake.url, '/_fake/webhooks', { api_key: account.api_key, url: receiver.server.url });
});
afterAll(async () => {
  await fake.close();
  await receiver.server.close();
});

const payments = () => checkoutFor(fake.url, account.api_key).PaymentsApi;

describe('authorisation', () => {
  it('authorises Adyen test cards and any other Luhn-valid number, never echoing the card', async () => {
    for (const number of ['4111111145551142', '5555341244441115', '4242424242424242']) {
      const request = paymentRequest(account, card(number));
      const response = await payments().payments(request);
      expect(response.resultCode).toBe('Authorised');
      expect(response.pspReference).toMatch(/^[A-Z0-9]{16}$/);
      expect(response.merchantReference).toBe(request.reference);
      expect(response.amount).toEqual({ value: 2500, currency: 'EUR' });
      expect(response.additionalData?.cardSummary).toBe(number.slice(-4));
      expect(response.additionalData?.expiryDate).toBe('3/2030');
      expect(JSON.stringify(response)).not.toContain(number);
      expect(JSON.stringify(response)).not.toContain('737');
    }
    const brands = await control<{ payments: Array<{ card: { brand: string } }> }>(
      fake.url,
      `/_fake/payments?api_key=${account.api_key}`,
    );
    expect(brands.payments.slice(0, 3).map((p) => p.card.brand)).toEqual(['visa', 'mc', 'visa']);
  });

  it.each([
    ['DECLINED', 'Refused', '2', 'Refused'],
    ['NOT_ENOUGH_BALANCE', 'Refused', '12', 'Not enough balance'],
    ['CARD_EXPIRED', 'Refused', '6', 'Expired Card'],
    ['CVC_DECLINED', 'Refused', '24', 'CVC Declined'],
    ['ISSUER_UNAVAILABLE', 'Refused', '9', 'Issuer Unavailable'],
    ['FRAUD', 'Refused', '20', 'FRAUD'],
    ['BLOCK_CARD', 'Refused', '5', 'Blocked Card'],
    ['INVALID_CARD_NUMBER', 'Refused', '8', 'Invalid Card Number'],
    ['ERROR', 'Error', '4', 'Acquirer Error'],
  ])('holderName %s answers %s with refusalReasonCode %s', async (holderName, resultCode, code, reason) => {
    const response = await payments().payments(paymentRequest(account, card('4111111145551142', { holderName })));
    expect(response).toMatchObject({ resultCode, refusalReasonCode: code, refusalReason: reason });
  });

  it('refuses an expired card, and takes the refusal from RequestedTestAcquirerResponseCode too', async () => {
    const expired = await payments().payments(
      paymentRequest(account, card('4111111145551142', { expiryYear: '2020' })),
    );
    expect(expired).toMatchObject({ resultCode: 'Refused', refusalReason: 'Expired Card', refusalReasonCode: '6' });
    const byCode = await payments().payments(
      paymentRequest(account, card('4111111145551142'), {
        additionalData: { RequestedTestAcquirerResponseCode: '12' },
      }),
    );
    expect(byCode.refusalReason).toBe('Not enough balance');
  });

  it.each([
    [{ number: '4111111145551143' }, '101'],
    [{ cvc: '73' }, '103'],
    [{ expiryMonth: '13' }, '141'],
  ])('answers card format errors with a 422: %j → %s', async (change, errorCode) => {
    const failure = await adyenFailure(payments().payments(paymentRequest(account, card('4111111145551142', change))));
    expect(failure).toMatchObject({ status: 422, errorCode });
  });

  it('answers missing fields with Adyen codes', async () => {
    const base = paymentRequest(account, card('4111111145551142')) as unknown as Record<string, unknown>;
    const without = (field: string) => ({ ...base, [field]: undefined }) as never;
    expect(await adyenFailure(payments().payments(without('returnUrl')))).toMatchObject({ errorCode: '14_030' });
    expect(await adyenFailure(payments().payments(without('amount')))).toMatchObject({ errorCode: '100' });
    expect(await adyenFailure(payments().payments(without('reference')))).toMatchObject({ errorCode: '130' });
  });

  it('sends a signed AUTHORISATION webhook for each result', async () => {
    const refused = await payments().payments(
      paymentRequest(account, card('4111111145551142', { holderName: 'DECLINED' })),
    );
    await vi.waitFor(
      () => expect(receiver.items(account.merchant_account).map((i) => i.pspReference)).toContain(refused.pspReference),
      { timeout: 5000 },
    );
    const item = receiver.items(account.merchant_account).find((i) => i.pspReference === refused.pspReference)!;
    expect(item).toMatchObject({
      eventCode: 'AUTHORISATION',
      success: 'false',
      reason: 'Refused',
      paymentMethod: 'visa',
    });
    expect(new hmacValidator().validateHMAC(item, account.hmac_key)).toBe(true);
    expect(new hmacValidator().validateHMAC({ ...item, success: 'true' } as typeof item, account.hmac_key)).toBe(false);
  });
});

describe('3-D Secure 2 redirect', () => {
  async function challenge(number: string, outcome: 'complete' | 'fail') {
    const response = await payments().payments(
      paymentRequest(account, card(number), {
        authenticationData: { threeDSRequestData: { nativeThreeDS: 'preferred' } },
        channel: 'Web',
        origin: 'https://till.example',
      }),
    );
    expect(response.resultCode).toBe('RedirectShopper');
    const action = response.action as { type: string; method: string; url: string; paymentMethodType: string };
    expect(action).toMatchObject({ type: 'redirect', method: 'GET', paymentMethodType: 'scheme' });
    const page = await (await fetch(action.url)).text();
    expect(page).toContain('Complete authentication');
    expect(page).toContain('Fail authentication');
    const form = /<form method="post" action="([^"]+)"><input type="hidden" name="outcome" value="complete">/.exec(
      page,
    )!;
    const posted = await fetch(new URL(form[1]!.replaceAll('&amp;', '&'), action.url), {
      method: 'POST',
      body: new URLSearchParams({ outcome }),
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    const location = new URL(posted.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://shop.example/return');
    expect(location.searchParams.get('order')).toBe('1');
    return { pspReference: response.pspReference!, redirectResult: location.searchParams.get('redirectResult')! };
  }

  it('authorises after the challenge and refuses a redirectResult used twice or forged', async () => {
    for (const number of ['4917610000000000', '5454545454545454']) {
      const { pspReference, redirectResult } = await challenge(number, 'complete');
      const details = await payments().paymentsDetails({ details: { redirectResult } });
      expect(details).toMatchObject({
        pspReference,
        resultCode: 'Authorised',
        amount: { value: 2500, currency: 'EUR' },
      });
      expect(await adyenFailure(payments().paymentsDetails({ details: { redirectResult } }))).toMatchObject({
        status: 422,
        errorCode: '14_018',
      });
    }
    expect(await adyenFailure(payments().paymentsDetails({ details: { redirectResult: 'forged' } }))).toMatchObject({
      errorCode: '14_018',
    });
  });

  it('refuses a failed authentication', async () => {
    const { pspReference } = await challenge('4917610000000000', 'complete');
    const failed = await challenge('4917610000000000', 'fail');
    const details = await payments().paymentsDetails({ details: { redirectResult: failed.redirectResult } });
    expect(details).toMatchObject({
      resultCode: 'Refused',
      refusalReason: '3D Not Authenticated',
      refusalReasonCode: '11',
    });
    expect(pspReference).not.toBe(failed.pspReference);
  });
});

describe('API key, merchant account, idempotency', () => {
  it('answers an unknown key 401 and another account 403', async () => {
    const unknown = await adyenFailure(
      checkoutFor(fake.url, 'nope').PaymentsApi.payments(paymentRequest(account, card('4111111145551142'))),
    );
    expect(unknown).toEqual({ status: 401, errorCode: '000', message: 'HTTP Status Response - Unauthorized' });
    const foreign = paymentRequest(
      { ...account, merchant_account: ADYEN_TEST_MERCHANT_ACCOUNT },
      card('4111111145551142'),
    );
    expect(await adyenFailure(payments().payments(foreign))).toMatchObject({ status: 403, errorCode: '901' });
    const own = await checkoutFor(fake.url, ADYEN_TEST_API_KEY).PaymentsApi.payments(foreign);
    expect(own.resultCode).toBe('Authorised');
    expect(ADYEN_TEST_HMAC_KEY).toMatch(/^[0-9A-F]{64}$/);
  });

  it('replays the stored answer for the same key and body, and refuses another body', async () => {
    const request = paymentRequest(account, card('4111111145551142'));
    const idempotencyKey = crypto.randomUUID();
    const first = await payments().payments(request, { idempotencyKey });
    const again = await payments().payments(request, { idempotencyKey });
    expect(again.pspReference).toBe(first.pspReference);
    const other = await adyenFailure(
      payments().payments({ ...request, amount: { value: 1, currency: 'EUR' } }, { idempotencyKey }),
    );
    expect(other).toMatchObject({ status: 422, errorCode: '704' });
    const made = await control<{ payments: unknown[] }>(
      fake.url,
      `/_fake/payments?api_key=${account.api_key}&reference=${request.reference}`,
    );
    expect(made.payments).toHaveLength(1);
  });
});
