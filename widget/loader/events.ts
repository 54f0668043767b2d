/**
 * The events the loader hands the merchant: those its frame sends (widget/protocol/messages.ts),
 * minus the requests the loader carries out itself.
 */
import type { CheckoutEvent } from '../protocol/messages.ts';

/** What the checkout frame tells the page that embeds it. */
export type TillEvent = CheckoutEvent;

export type TillEventListener = (event: TillEvent) => void;

/** Calls every listener even when one throws, and still surfaces the error in the console. */
export function callSafely(listener: TillEventListener, event: TillEvent): void {
  try {
    listener(event);
  } catch (error) {
    setTimeout(() => {
      throw error;
    });
  }
}
