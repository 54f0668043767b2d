/** Screens whose code is a lazy chunk: a spinner until it is here, a way out if it cannot come. */
import type { ComponentProps } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n.ts';
import { cardFormChunk, walletFlowsChunk, type LazyChunk } from '../lazy-chunks.ts';
import { Spinner } from './icons.tsx';
import { Outcome } from './outcome.tsx';

/** The chunk once loaded; 'loading' until then; 'failed' when it could not be fetched. */
function useChunk<T>(chunk: LazyChunk<T>): T | 'loading' | 'failed' {
  const [state, setState] = useState<T | 'loading' | 'failed'>(() => chunk.loaded() ?? 'loading');
  useEffect(() => void chunk.load().then(setState, () => setState('failed')), [chunk]);
  return state;
}

function Pending({ failed }: { failed: boolean }) {
  const { t } = useI18n();
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

type CardFormProps = ComponentProps<typeof import('./card-form.tsx').CardForm>;
type WalletFlowProps = ComponentProps<typeof import('./wallet-flows.tsx').WalletFlow>;

export function LazyCardForm(props: CardFormProps) {
  const chunk = useChunk(cardFormChunk);
  return typeof chunk === 'string' ? <Pending failed={chunk === 'failed'} /> : <chunk.CardForm {...props} />;
}

export function LazyWalletFlow(props: WalletFlowProps) {
  const chunk = useChunk(walletFlowsChunk);
  return typeof chunk === 'string' ? <Pending failed={chunk === 'failed'} /> : <chunk.WalletFlow {...props} />;
}
