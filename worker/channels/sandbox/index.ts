/**
 * The sandbox channel: a simulated card processor and QR wallet that behave like real ones.
 * Outcomes reach the order through a signed notification, as a real channel's do; the
 * processor side lives in the SandboxProcessor Durable Object.
 */
import { z } from 'zod';
import { CardSchema } from '../../../shared/card-schema.ts';
import { TillError } from '../../../shared/errors.ts';
import { StartAttemptBaseSchema } from '../../../shared/schemas.ts';
import { SignatureError, verifyPayload } from '../../../shared/signature.ts';
import { now } from '../../base/clock.ts';
import type { Channel, ChannelContext, ChannelOutcome } from '../types.ts';
import { behaviourOf, cardBrand } from './cards.ts';
import { SANDBOX_SIGNATURE_HEADER, type SandboxNotification, SandboxNotificationSchema } from './notification.ts';
import type { TradeStatus } from './processor.ts';

export { type SandboxNotification, sandboxNotification } from './notification.ts';

const SandboxInputSchema = z.discriminatedUnion('method', [
  StartAttemptBaseSchema.extend({
    channel: z.literal('sandbox'),
    method: z.literal('card'),
    card: CardSchema,
  }).strict(),
  StartAttemptBaseSchema.extend({ channel: z.literal('sandbox'), method: z.literal('qr') }).strict(),
]);
type SandboxInput = z.infer<typeof SandboxInputSchema>;

const processor = (ctx: ChannelContext, attemptId: string) =>
  ctx.env.SANDBOX.get(ctx.env.SANDBOX.idFromName(attemptId));

function outcomeOf(
  status: TradeStatus,
  failure: SandboxNotification['failure'],
  nextAction: ChannelOutcome | null,
  amount?: number,
): ChannelOutcome {
  switch (status) {
    case 'authorized':
      return { status: 'authorized' };
    case 'succeeded':
      return amount === undefined ? { status: 'succeeded' } : { status: 'succeeded', amount };
    case 'failed':
      return { status: 'failed', failure: failure ?? { code: 'declined', message: 'The payment was declined.' } };
    case 'canceled':
      return { status: 'canceled' };
    case 'requires_action':
      return nextAction ?? { status: 'processing' };
  }
}

/**
 * A sandbox processor account, shaped like a real processor's: any well-formed pair is accepted,
 * so integrations can rehearse configuring (sealed, write-only) channel credentials.
 */
export const SandboxCredentialsSchema = z.strictObject({
  account_id: z
    .string()
    .regex(/^acct_[0-9A-Za-z]{8,32}$/, 'must look like acct_ followed by 8 to 32 letters or digits'),
  secret_key: z
    .string()
    .regex(/^sbx_sk_[0-9A-Za-z]{16,64}$/, 'must look like sbx_sk_ followed by 16 to 64 letters or digits'),
});

export const sandbox: Channel<SandboxInput, z.infer<typeof SandboxCredentialsSchema>> = {
  id: 'sandbox',
  credentials: SandboxCredentialsSchema,

  methods(order) {
    if (order.mode !== 'test') return [];
    const card = { channel: 'sandbox', method: 'card', kind: 'card', label: 'Card' } as const;
    // A wallet QR payment is taken at once: it cannot be held for a later capture.
    if (order.capture_method === 'manual') return [card];
    return [card, { channel: 'sandbox', method: 'qr', kind: 'qr', label: 'Scan QR code' }];
  },

  input: SandboxInputSchema,

  async start(ctx, request, input) {
    const common = {
      attemptId: request.attemptId,
      orderId: request.orderId,
      amount: request.amount,
      currency: request.currency,
      description: request.description,
      origin: ctx.origin,
      returnUrl: request.returnUrl ?? null,
      captureMethod: request.captureMethod,
    };
    if (input.method === 'qr') {
      await processor(ctx, request.attemptId).createTrade({
        ...common,
        kind: 'qr',
        status: 'requires_action',
        failure: null,
      });
      const payload = `${ctx.origin}/sandbox/scan/${request.attemptId}`;
      return {
        channelRef: request.attemptId,
        outcome: { status: 'requires_action', nextAction: { type: 'qr', payload, expires_at: request.expiresAt } },
      };
    }
    const { number, exp_month, exp_year } = input.card;
    const behaviour = behaviourOf(number, exp_month, exp_year);
    const instrument = { brand: cardBrand(number), last4: number.slice(-4) };
    const paid: TradeStatus = request.captureMethod === 'manual' ? 'authorized' : 'succeeded';
    const status: TradeStatus =
      behaviour.kind === 'succeed' ? paid : behaviour.kind === 'decline' ? 'failed' : 'requires_action';
    const failure = behaviour.kind === 'decline' ? behaviour.failure : null;
    await processor(ctx, request.attemptId).createTrade({ ...common, kind: 'card', status, failure });
    const challenge: ChannelOutcome = {
      status: 'requires_action',
      nextAction: { type: 'three_ds', url: `${ctx.origin}/sandbox/challenge/${request.attemptId}` },
    };
    return { channelRef: request.attemptId, instrument, outcome: outcomeOf(status, failure, challenge) };
  },

  async parseNotification(ctx, { orderId, body, headers }) {
    try {
      await verifyPayload(body, headers.get(SANDBOX_SIGNATURE_HEADER), ctx.env.SANDBOX_NOTIFY_SECRET, { now: now() });
    } catch (error) {
      if (error instanceof SignatureError)
        throw new TillError('invalid_signature', `sandbox notification: ${error.message}`);
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new TillError('invalid_json', 'sandbox notification body is not JSON');
    }
    const parsed = SandboxNotificationSchema.safeParse(json);
    if (!parsed.success) throw new TillError('invalid_parameter', 'sandbox notification has an unexpected shape');
    const note = parsed.data;
    if (note.order_id !== orderId)
      throw new TillError('invalid_parameter', 'sandbox notification is about another order', 'order_id');
    return {
      kind: 'payment',
      orderId: note.order_id,
      attemptId: note.attempt_id,
      eventId: note.event_id,
      amount: note.amount,
      currency: note.currency,
      outcome: outcomeOf(note.status, note.failure, null, note.amount),
    };
  },

  acknowledge(applied) {
    return applied ? new Response('ok', { status: 200 }) : new Response('retry', { status: 500 });
  },

  async query(ctx, trade) {
    const found = await processor(ctx, trade.attemptId).getTrade();
    if (!found) throw new TillError('channel_trade_not_found', 'sandbox has no such trade');
    if (found.status === 'requires_action') return null;
    return outcomeOf(found.status, found.failure, null, found.captured ?? found.amount);
  },

  async refund(ctx, trade, amount, refundId) {
    return processor(ctx, trade.attemptId).refund(amount, refundId);
  },

  async capture(ctx, trade, amount) {
    const captured = await processor(ctx, trade.attemptId).capture(amount);
    if (captured !== null) return { status: 'succeeded', amount: captured };
    return {
      status: 'failed',
      failure: { code: 'capture_failed', message: 'The authorization could not be captured.' },
    };
  },

  async cancel(ctx, trade) {
    await processor(ctx, trade.attemptId).cancel();
  },
};
