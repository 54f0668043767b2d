import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n.ts';
import { Outcome } from './outcome.tsx';

/** How long a cashier page may take to start loading before the shopper gets a link to it. */
const SLOW_MS = 4000;

/**
 * On the way to a wallet's cashier page. Should the page not come (a slow network, a browser
 * that kept this page), a link takes the shopper there and another way to pay is offered.
 */
export function Leaving(props: { url: string; name: string; onChooseAnother(): void }) {
  const { t } = useI18n();
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setSlow(true), SLOW_MS);
    return () => clearTimeout(timer);
  }, [props.url]);
  return (
    <Outcome tone="neutral" icon="spinner" title={t('redirectingTo', { name: props.name })}>
      {slow && (
        <>
          {/* The cashier refuses frames: the link opens it in the whole tab, like the loader does. */}
          <a class="button primary" href={props.url} target="_top">
            {t('continue')}
          </a>
          <button type="button" class="button secondary" onClick={props.onChooseAnother}>
            {t('otherMethod')}
          </button>
        </>
      )}
    </Outcome>
  );
}
