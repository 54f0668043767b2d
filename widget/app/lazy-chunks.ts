/**
 * What the frame fetches on demand rather than before its first paint: the card form (its brand
 * table and marks) and the wallet flows (QR code with its encoder, cashier pages, WeChat's
 * sheet). main.tsx starts the card form's download at once, in parallel with the order request;
 * the wallet flows come when a wallet method is selected.
 */
export interface LazyChunk<T> {
  load(): Promise<T>;
  /** Once loaded, kept at hand so a screen renders at once instead of after a spinner's flash. */
  loaded(): T | null;
}

function lazyChunk<T>(importer: () => Promise<T>): LazyChunk<T> {
  let pending: Promise<T> | null = null;
  let loaded: T | null = null;
  return {
    // A failed download is forgotten, so asking again fetches it again.
    load: () =>
      (pending ??= importer().then(
        (module) => (loaded = module),
        (error: unknown) => {
          pending = null;
          throw error;
        },
      )),
    loaded: () => loaded,
  };
}

export const cardFormChunk = lazyChunk(() => import('./components/card-form.tsx'));
export const walletFlowsChunk = lazyChunk(() => import('./components/wallet-flows.tsx'));
