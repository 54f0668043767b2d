/** What the shopper's widget may see of an order, and the check that its token is for it. */

import { shopperDeclineCode } from '../../shared/card-declines.ts';
import { TillError } from '../../shared/errors.ts';
import { acceptsAttempts } from '../../shared/order-model.ts';
import type { CheckoutSummary, Failure, ShopperContext } from '../../shared/schemas.ts';
import type { ClientTokenClaims } from '../../shared/tokens.ts';
import { declineMessage } from '../channels/card/decline-failure.ts';
import { withOneCardMethod } from '../channels/card/router.ts';
import { channelOf, isChannelId } from '../channels/registry.ts';
import { type AttemptRow, attemptView, type OrderRow } from './order-store.ts';

/** A validly signed token must still describe this very order: id, merchant, amount, mode. */
export function checkToken(row: OrderRow, claims: ClientTokenClaims): void {
  const matches =
    claims.sub === row.id &&
    claims.mer === row.merchant_id &&
    claims.amt === row.amount &&
    claims.cur === row.currency &&
    claims.mode === row.mode;
  if (!matches) throw new TillError('token_mismatch', 'The client token does not match this order');
}

/**
 * What the shopper may read of a failure: Till's code and words, never the processor's own code,
 * and a card flagged as fraudulent, lost or stolen as a plain decline.
 */
function shopperFailure(failure: Failure | null): Failure | null {
  if (!failure) return null;
  const code = shopperDeclineCode(failure.code);
  return code === failure.code
    ? { code, message: failure.message }
    : { code, message: declineMessage('card_declined') };
}

export function checkoutSummary(
  row: OrderRow,
  latest: AttemptRow | undefined,
  context: ShopperContext,
): CheckoutSummary {
  const enabled = JSON.parse(row.channels) as string[];
  // Processors' card methods fold into one Card: Till's router picks the processor.
  const methods = acceptsAttempts(row.status)
    ? withOneCardMethod(enabled.filter(isChannelId).flatMap((id) => channelOf(id).methods(row, context)))
    : [];
  return {
    order: {
      id: row.id,
      status: row.status,
      amount: row.amount,
      currency: row.currency,
      description: row.description,
      merchant_name: row.merchant_name,
      mode: row.mode,
      expires_at: row.expires_at,
      return_url: row.return_url,
      version: row.version,
    },
    methods,
    attempt: latest ? { ...attemptView(latest), failure: shopperFailure(attemptView(latest).failure) } : null,
    last_failure: shopperFailure(row.last_failure ? (JSON.parse(row.last_failure) as Failure) : null),
    receipt: row.receipt,
  };
}
