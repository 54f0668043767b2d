/**
 * Where a card processor sends the shopper back after its page (a 3-D Secure challenge): Till's
 * own route, which asks the processor what happened (never trusting the return's parameters) and
 * then sends the shopper on to where the checkout asked (`to`, checked again there).
 */
import type { StartRequest } from '../types.ts';

export function returnRoute(
  origin: string,
  request: Pick<StartRequest, 'orderId' | 'attemptId' | 'returnUrl'>,
): string {
  const url = new URL(`/v1/checkout/${request.orderId}/attempts/${request.attemptId}/return`, origin);
  if (request.returnUrl) url.searchParams.set('to', request.returnUrl);
  return url.toString();
}
