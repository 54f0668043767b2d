/** What the Stripe fake's unit tests share: a fake, a fresh account per test, the official client pointed at it. */
import Stripe from 'stripe';
import type { RunningFake } from '../fakes/serve.ts';
import { startStripeFake } from '../fakes/stripe/index.ts';

export const CARD = (number: string, extra: Record<string, unknown> = {}) => ({
  type: 'card' as const,
  card: { number, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc: '123', ...extra },
});

export async function stripeFake() {
  const fake: RunningFake = await startStripeFake({ port: 0 });
  const { port } = new URL(fake.url);
  /** The official client, with no automatic retries so each fault is seen once. */
  const client = (key: string, maxNetworkRetries = 0) =>
    new Stripe(key, { host: '127.0.0.1', port: Number(port), protocol: 'http', maxNetworkRetries });
  const control = async <T = Record<string, unknown>>(path: string, body?: unknown) => {
    const response = await fetch(
      `${fake.url}${path}`,
      body === undefined
        ? {}
        : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
    );
    return (await response.json()) as T;
  };
  const account = () => control<{ secret_key: string; webhook_secret: string }>('/_fake/accounts', {});
  return { fake, client, control, account };
}
