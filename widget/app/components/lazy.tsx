/** Screens whose code is a lazy chunk: a spinner until it is here, a way out if it cannot come. */
import type { ComponentProps } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n.ts';
import { cardFormChunk, type LazyChunk, walletFlowsChunk } from '../lazy-chunks.ts';
import { Spinner } from './icons.tsx';
import { Outcome } from './outcome.tsx';

/** The chunk once loaded; 'loading' until then; 'failed' when it could not be fetched; and a way to ask again. */
function useChunk<T>(chunk: LazyChunk<T>): [T | 'loading' | 'failed', () => void] {
  const [state, setState] = useState<T | 'loading' | 'failed'>(() => chunk.loaded() ?? 'loading');
  const [attempt, setAttempt] = useState(0);
  useEffect(() => void chunk.load().then(setState, () => setState('failed')), [chunk, attempt]);
  const retry = (): void => {
    setState('loading');
    setAttempt((count) => count + 1);
  };
  return [state, retry];
}

function Pending({ failed, retry }: { failed: boolean; retry(): void }) {
  const { t } = useI18n();
  if (!failed) {
    return (
      <div class="loading">
        <Spinner />
      </div>
    );
  }
  return (
    <Outcome tone="danger" icon="cross" title={t('errorTitle')}>
      <p class="text">{t('networkError')}</p>
      <button type="button" class="button secondary" onClick={retry}>
        {t('retry')}
      </button>
    </Outcome>
  );
}

type CardFormProps = ComponentProps<typeof import('./card-form.tsx').CardForm>;
type WalletFlowProps = ComponentProps<typeof import('./wallet-flows.tsx').WalletFlow>;

export function LazyCardForm(props: CardFormProps) {
  const [chunk, retry] = useChunk(cardFormChunk);
  return typeof chunk === 'string' ? (
    <Pending failed={chunk === 'failed'} retry={retry} />
  ) : (
    <chunk.CardForm {...props} />
  );
}

export function LazyWalletFlow(props: WalletFlowProps) {
  const [chunk, retry] = useChunk(walletFlowsChunk);
  return typeof chunk === 'string' ? (
    <Pending failed={chunk === 'failed'} retry={retry} />
  ) : (
    <chunk.WalletFlow {...props} />
  );
}
