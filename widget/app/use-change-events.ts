/**
 * `change` tells the host whether the shopper could pay now (to enable its own button, say).
 * A card form reports its own state through the function this returns; other methods need
 * nothing typed, so they are complete as soon as they are selected (by the shopper or as the
 * default).
 */
import { useCallback, useEffect } from 'preact/hooks';
import type { PaymentMethod } from '../../shared/schemas.ts';
import type { CardFormState } from './card-input.ts';
import type { PostToHost } from './host-bridge.ts';

export function useChangeEvents(selected: PaymentMethod | null, post: PostToHost): (state: CardFormState) => void {
  /** Only the form's state: never digits, expiry, code or name. */
  const changed = useCallback(
    ({ complete, empty, brand, error }: CardFormState) => {
      if (selected) {
        const { channel, method, kind } = selected;
        post({ type: 'change', payload: { channel, method, kind, complete, empty, brand, error } });
      }
    },
    [post, selected],
  );

  useEffect(() => {
    if (selected && selected.kind !== 'card') changed({ complete: true, empty: false, brand: null, error: null });
  }, [selected, changed]);

  return changed;
}
