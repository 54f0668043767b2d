/** Shows a wallet flow once its chunk is here, a spinner until then. */
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n.ts';
import { loadedWalletFlows, loadWalletFlows, type WalletFlows } from '../load-wallet-flows.ts';
import { Spinner } from './icons.tsx';
import { Outcome } from './outcome.tsx';
import type { WalletFlowProps } from './wallet-flows.tsx';

export function LazyWalletFlow(props: WalletFlowProps) {
  const { t } = useI18n();
  const [flows, setFlows] = useState<WalletFlows | null>(loadedWalletFlows);
  const [failed, setFailed] = useState(false);
  useEffect(() => void loadWalletFlows().then(setFlows, () => setFailed(true)), []);
  if (flows) return <flows.WalletFlow {...props} />;
  if (!failed) {
    return (
      <div class="loading">
        <Spinner />
      </div>
    );
  }
  // A module that failed to load stays failed in this document; a fresh one fetches it again.
  return (
    <Outcome tone="danger" icon="cross" title={t('errorTitle')}>
      <p class="text">{t('networkError')}</p>
      <button type="button" class="button secondary" onClick={() => location.reload()}>
        {t('retry')}
      </button>
    </Outcome>
  );
}
