/** Verifying webhooks with the server SDK, signed with the platform's own signing code. */
import { describe, expect, it } from 'vitest';
import { Till, TillWebhookError } from '../../sdk/index.ts';
import { signPayload } from '../../shared/signature.ts';
import { client, NOW_S, rejection, webhookEvent } from './sdk-helpers.ts';

describe('webhooks.verify', () => {
  const secret = 'whsec_0123456789abcdefghijklmnop';
  const body = JSON.stringify(webhookEvent());

  it('returns the parsed event for a payload signed by Till, without a client', async () => {
    const header = await signPayload(body, secret, NOW_S);
    const event = await Till.webhooks.verify(body, header, secret, { now: NOW_S + 10 });
    expect(event).toEqual(webhookEvent());
    const { till } = client([]);
    await expect(till.webhooks.verify(new TextEncoder().encode(body), header, secret, { now: NOW_S })).resolves.toEqual(
      webhookEvent(),
    );
  });

  it('refuses an event of the other mode when the endpoint names its mode', async () => {
    const header = await signPayload(body, secret, NOW_S);
    await expect(Till.webhooks.verify(body, header, secret, { now: NOW_S, mode: 'test' })).resolves.toEqual(
      webhookEvent(),
    );
    await expect(Till.webhooks.verify(body, header, secret, { now: NOW_S, mode: 'live' })).rejects.toMatchObject({
      reason: 'wrong_mode',
    });
  });

  it('defaults to the mode of the client’s key', async () => {
    const header = await signPayload(body, secret, NOW_S);
    const live = new Till({
      secretKey: `sk_live_${'A'.repeat(16)}_${'b'.repeat(32)}`,
      baseUrl: 'https://till.example',
    });
    await expect(live.webhooks.verify(body, header, secret, { now: NOW_S })).rejects.toMatchObject({
      reason: 'wrong_mode',
    });
    const test = new Till({
      secretKey: `sk_test_${'A'.repeat(16)}_${'b'.repeat(32)}`,
      baseUrl: 'https://till.example',
    });
    await expect(test.webhooks.verify(body, header, secret, { now: NOW_S })).resolves.toEqual(webhookEvent());
  });

  it('rejects a tampered body, a stale timestamp, a missing header and a non-event', async () => {
    const header = await signPayload(body, secret, NOW_S);
    const reason = async (promise: Promise<unknown>) => {
      const error = await rejection(promise);
      expect(error).toBeInstanceOf(TillWebhookError);
      return (error as TillWebhookError).reason;
    };
    expect(await reason(Till.webhooks.verify(body.replace('2900', '1'), header, secret, { now: NOW_S }))).toBe(
      'no_matching_signature',
    );
    expect(await reason(Till.webhooks.verify(body, header, 'whsec_another_secret_0123456', { now: NOW_S }))).toBe(
      'no_matching_signature',
    );
    expect(await reason(Till.webhooks.verify(body, header, secret, { now: NOW_S + 301 }))).toBe(
      'timestamp_outside_tolerance',
    );
    expect(await reason(Till.webhooks.verify(body, header, secret, { now: NOW_S + 1000, toleranceSeconds: 600 }))).toBe(
      'timestamp_outside_tolerance',
    );
    await expect(
      Till.webhooks.verify(body, header, secret, { now: NOW_S + 500, toleranceSeconds: 600 }),
    ).resolves.toBeTruthy();
    expect(await reason(Till.webhooks.verify(body, null, secret))).toBe('missing_header');
    const notEvent = '{"id":"evt_1","type":"order.teleported"}';
    expect(
      await reason(Till.webhooks.verify(notEvent, await signPayload(notEvent, secret, NOW_S), secret, { now: NOW_S })),
    ).toBe('invalid_payload');
  });

  it('checks against the real clock by default', async () => {
    const header = await signPayload(body, secret);
    await expect(Till.webhooks.verify(body, header, secret)).resolves.toMatchObject({ type: 'order.paid' });
    const stale = await signPayload(body, secret, Math.floor(Date.now() / 1000) - 600);
    await expect(Till.webhooks.verify(body, stale, secret)).rejects.toMatchObject({
      reason: 'timestamp_outside_tolerance',
    });
  });
});
