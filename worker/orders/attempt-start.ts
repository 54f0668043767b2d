/**
 * Starting a payment attempt: opened in one guarded transaction, the channel called outside
 * it, and its answer applied in another. A call whose answer never comes (the object restarted
 * during it) is failed later and the channel asked what happened.
 */
import type { Card } from '../../shared/card-schema.ts';
import { TillError } from '../../shared/errors.ts';
import { acceptsAttempts } from '../../shared/order-model.ts';
import type { CheckoutSummary, ShopperContext } from '../../shared/schemas.ts';
import type { ClientTokenClaims } from '../../shared/tokens.ts';
import { now } from '../base/clock.ts';
import { newAttemptId } from '../base/ids.ts';
import { asResult, type Result } from '../base/result.ts';
import { CARD_ROUTER, cardRoute } from '../channels/card/router.ts';
import { vaultCard } from '../channels/card/vaulted-card.ts';
import { type ChannelId, channelOf, isChannelId } from '../channels/registry.ts';
import { startRouted } from './card-routing.ts';
import { assertMayCharge } from './channel-scope.ts';
import { type StartAnswer, startAtChannel } from './channel-start.ts';
import { checkoutSummary, checkToken } from './checkout-view.ts';
import { channelScope, type OrderContext } from './order-context.ts';
import type { AttemptRow, OrderRow } from './order-store.ts';
import { queryAgainSoon } from './reconciliation.ts';

export interface StartAttemptInput {
  claims: ClientTokenClaims;
  /** Validated by the channel's own schema at the boundary. */
  body: { channel: string; method: string; return_url?: string | undefined } & Record<string, unknown>;
  origin: string;
  context: ShopperContext;
  /** Origins a return_url may point at: the worker's own and the merchant's allowed origins. */
  returnOrigins: readonly string[];
  /** The shopper's address and browser, for channels that want them (WeChat Pay H5). */
  ip: string | null;
  userAgent: string | null;
}

/** A channel call unanswered this long was lost (the object restarted mid-call). */
const LOST_CALL_SECONDS = 120;
const LOST_CALL_FAILURE = {
  code: 'channel_timeout',
  message: 'The payment method did not answer in time. Try again or choose another method.',
};

export const lostAfter = (attempt: AttemptRow): number => attempt.created_at + LOST_CALL_SECONDS;

/** A shopper is sent back only to the checkout, the merchant's own pages, or where the merchant's server said. */
export function checkReturnUrl(url: string | undefined, row: OrderRow, origins: readonly string[]): void {
  if (url === undefined || url === row.return_url) return;
  const origin = URL.canParse(url) ? new URL(url).origin : null;
  if (origin && origins.includes(origin)) return;
  throw new TillError(
    'invalid_parameter',
    "return_url must be on this checkout's origin, on one of the merchant's allowed origins, or the order's return_url",
    'return_url',
  );
}

/** A card attempt's card, vaulted before the attempt opens (sealing is asynchronous; transactions are not). */
type VaultedForAttempt = Awaited<ReturnType<typeof vaultCard>>;

async function vaultAttemptCard(o: OrderContext, input: StartAttemptInput): Promise<VaultedForAttempt | null> {
  const { body } = input;
  if (body.method !== 'card' || body.card === undefined) return null;
  const row = o.ledger.order();
  // Checked by the channel's schema at the edge (CardSchema).
  return vaultCard(o.env, body.card as Card, { merchantId: row.merchant_id, mode: row.mode });
}

/** Opens an attempt (inside a transaction); anything that stops it throws and changes nothing. */
function openAttempt(
  o: OrderContext,
  input: StartAttemptInput,
  card: VaultedForAttempt | null,
  route: readonly ChannelId[] | null,
): { id: string; channelId: ChannelId; row: OrderRow } {
  const { claims, body, origin, context } = input;
  const row = o.ledger.order();
  checkToken(row, claims);
  if (row.expires_at <= now()) throw new TillError('order_not_payable', 'This order has expired');
  if (o.ledger.inFlightAttempts().some((attempt) => attempt.status === 'pending')) {
    throw new TillError('attempt_in_progress', 'A payment for this order is already being processed');
  }
  if (!acceptsAttempts(row.status))
    throw new TillError('order_not_payable', `An order that is ${row.status} cannot be paid`);
  checkReturnUrl(body.return_url, row, input.returnOrigins);
  // A card for the router goes to the first processor of its route.
  const channelId = route ? (route[0] ?? '') : body.channel;
  const offered =
    isChannelId(channelId) &&
    (JSON.parse(row.channels) as string[]).includes(channelId) &&
    channelOf(channelId)
      .methods(row, context)
      .some((method) => method.method === body.method);
  if (!offered) {
    throw new TillError(
      'channel_not_available',
      `${body.channel}/${body.method} is not available for this order`,
      'channel',
    );
  }
  // The shopper switched method: only the newest attempt may still take money.
  o.ledger.cancelLiveAttempts();
  const id = newAttemptId();
  o.ledger.attempts.open({
    id,
    channel: channelId,
    method: body.method,
    amount: row.amount,
    currency: row.currency,
    at: now(),
    origin,
  });
  if (card) o.ledger.cards.keep(card.vaulted, id, now());
  o.ledger.setOrderStatus(row, 'processing');
  return { id, channelId, row };
}

/** Whether the opened attempt may still go to its channel (inside a transaction); if not, it is dropped. */
function stillWanted(o: OrderContext, attemptId: string): boolean {
  const attempt = o.ledger.attempt(attemptId);
  if (o.ledger.order().status === 'processing' && attempt?.status === 'pending') return true;
  // Never sent to its channel: nothing to close there or to ask about.
  if (attempt?.status === 'pending') o.ledger.attempts.cancel(attempt, now(), null);
  return false;
}

/** Applies the channel's answer to the start (inside a transaction). */
function applyStart(o: OrderContext, attemptId: string, started: StartAnswer): void {
  o.ledger.attempts.recordStart(attemptId, started);
  o.ledger.applyOutcome(attemptId, started.outcome);
  o.ledger.closeIfOrderClosed(attemptId);
  // The call may have reached the channel before it broke: ask whether money moved.
  if (started.unanswered) queryAgainSoon(o.ledger.attempts, attemptId);
}

/**
 * Fails attempts still `pending` long after their channel call began (inside a transaction), so
 * the shopper can try again; the channel is then asked whether money moved, and told to close.
 */
export function failLostCalls(o: OrderContext): void {
  const lost = o.ledger
    .inFlightAttempts()
    .filter((attempt) => attempt.status === 'pending' && lostAfter(attempt) <= now());
  for (const attempt of lost) {
    o.ledger.applyOutcome(attempt.id, { status: 'failed', failure: LOST_CALL_FAILURE });
    queryAgainSoon(o.ledger.attempts, attempt.id);
  }
}

/** What the order object does around a start, outside any transaction. */
export interface StartHooks {
  scheduleAlarm(): Promise<void>;
  closeCanceledAttempts(): Promise<void>;
  /** The channel calls and pushes that follow any change (order-object.ts settle). */
  settle(): Promise<void>;
}

/**
 * Starts an attempt: a disabled merchant is refused before anything changes; the attempt is
 * opened in one transaction, its channel called outside it, and the answer applied in another.
 */
export async function startAttempt(
  o: OrderContext,
  input: StartAttemptInput,
  hooks: StartHooks,
): Promise<Result<CheckoutSummary>> {
  const card = await asResult(() => vaultAttemptCard(o, input));
  if (!card.ok) return card;
  // An unknown channel, or a card no processor takes, is refused by openAttempt.
  const brand = card.value?.vaulted.brand ?? null;
  const route = input.body.channel === CARD_ROUTER ? cardRoute(o.ledger.order(), input.context, brand) : null;
  const channel = route ? route[0] : input.body.channel;
  const allowed = await asResult(async () => {
    if (isChannelId(channel)) await assertMayCharge(channelScope(o), channel);
  });
  if (!allowed.ok) return allowed;
  const opened = await asResult(() => o.transaction(() => openAttempt(o, input, card.value, route)));
  if (!opened.ok) return opened;
  const { id, channelId, row } = opened.value;
  // Before the channel call: should the object die during it, this alarm finds the lost call.
  await hooks.scheduleAlarm();
  await hooks.closeCanceledAttempts();
  // While the old attempts were being closed, one of them may have paid the order.
  if (o.transaction(() => stillWanted(o, id))) {
    const forCall = card.value?.forCall;
    const started = route
      ? await startRouted(o, route, row, id, input, forCall)
      : await startAtChannel(channelScope(o), channelId, row, id, input, forCall);
    o.transaction(() => applyStart(o, id, started));
    await hooks.settle();
  }
  return { ok: true, value: checkoutSummary(o.ledger.order(), o.ledger.latestAttempt(), input.context) };
}
