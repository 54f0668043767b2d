/**
 * The wallet flows (QR code, cashier page, WeChat's sheet) load on demand, like the QR encoder
 * they include: the first paint is the choice of method, and card shoppers never need them.
 */
export type WalletFlows = typeof import('./components/wallet-flows.tsx');

let walletFlows: Promise<WalletFlows> | null = null;
/** Once loaded, kept at hand so a screen renders at once instead of after a spinner's flash. */
let loaded: WalletFlows | null = null;

export const loadWalletFlows = (): Promise<WalletFlows> =>
  (walletFlows ??= import('./components/wallet-flows.tsx').then((flows) => (loaded = flows)));

export const loadedWalletFlows = (): WalletFlows | null => loaded;
