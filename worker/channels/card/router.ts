/**
 * Till's card router: the shopper sees one Card method, and each card goes to the processors that
 * may take it, in order: those the order's merchant enabled and can use in its mode, whose
 * currency and amount fit, with a circuit that is not open. The sandbox takes cards only for a
 * merchant with no real processor. The order comes from the merchant's routing rules when it set
 * some, else Stripe before Adyen.
 */

import type { Currency } from '../../../shared/money.ts';
import type { CaptureMethod } from '../../../shared/order-model.ts';
import type { CardRoute, Mode, PaymentMethod, ShopperContext } from '../../../shared/schemas.ts';
import { type ChannelId, channelOf, isCardProcessor, isChannelId } from '../registry.ts';
import { mayTry } from './health.ts';

/** The channel id the widget sends for a card: the router, not a processor. */
export const CARD_ROUTER = 'card';

/** Without steps of the merchant's: real processors first, in this order. */
const DEFAULT_PREFERENCE: readonly string[] = ['stripe', 'adyen', 'sandbox'];

export interface RoutedOrder {
  channels: string;
  /** JSON CardRoute[]: the merchant's steps for the order's mode. */
  card_routing: string;
  amount: number;
  currency: Currency;
  mode: Mode;
  capture_method: CaptureMethod;
}

export const circuitKey = (processor: ChannelId, mode: Mode): string => `${processor}:${mode}`;

const fits = (step: CardRoute, order: RoutedOrder, brand: string | null): boolean =>
  (step.currencies === undefined || step.currencies.includes(order.currency)) &&
  (step.brands === undefined || (brand !== null && (step.brands as readonly string[]).includes(brand))) &&
  order.amount >= (step.min_amount ?? 0) &&
  order.amount <= (step.max_amount ?? Number.MAX_SAFE_INTEGER);

/**
 * The processors that may take this card (its brand, when known), in order: the merchant's steps
 * that fit it, or Till's default. Only processors enabled on the order whose card method fits it.
 */
export function cardProcessors(order: RoutedOrder, context: ShopperContext, brand: string | null = null): ChannelId[] {
  const enabled = (JSON.parse(order.channels) as string[]).filter(isChannelId).filter(isCardProcessor);
  const fitting = enabled.filter((id) =>
    channelOf(id)
      .methods(order, context)
      .some((method) => method.kind === 'card'),
  );
  const steps = JSON.parse(order.card_routing) as CardRoute[];
  if (steps.length > 0) {
    const chosen = steps.filter((step) => fits(step, order, brand)).map((step) => step.processor as string);
    return fitting.filter((id) => chosen.includes(id)).sort((a, b) => chosen.indexOf(a) - chosen.indexOf(b));
  }
  const rank = (id: ChannelId) => {
    const at = DEFAULT_PREFERENCE.indexOf(id);
    return at === -1 ? DEFAULT_PREFERENCE.length - 1 : at;
  };
  const ordered = fitting.sort((a, b) => rank(a) - rank(b));
  const real = ordered.filter((id) => id !== 'sandbox');
  return real.length > 0 ? real : ordered;
}

/**
 * The route of one card: its processors with a circuit that lets it through. When every circuit
 * is open the card still goes to them in order (a processor that recovered must be able to say so).
 */
export function cardRoute(order: RoutedOrder, context: ShopperContext, brand: string | null): ChannelId[] {
  const processors = cardProcessors(order, context, brand);
  const open = processors.filter((id) => mayTry(circuitKey(id, order.mode)));
  return open.length > 0 ? open : processors;
}

/** The methods the shopper sees: every processor's card method folded into the router's one. */
export function withOneCardMethod(methods: readonly PaymentMethod[]): PaymentMethod[] {
  const first = methods.findIndex((method) => method.kind === 'card');
  if (first === -1) return [...methods];
  const folded: PaymentMethod = { channel: CARD_ROUTER, method: 'card', kind: 'card', label: 'Card' };
  return methods.flatMap((method, index) => (index === first ? [folded] : method.kind === 'card' ? [] : [method]));
}
