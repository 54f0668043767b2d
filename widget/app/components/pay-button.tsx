import type { Problem } from '../checkout-problem.ts';
import { useI18n } from '../i18n.ts';
import { failureText } from '../messages.ts';
import { LockIcon, Spinner } from './icons.tsx';

/**
 * The inline notice (a decline, a refused request) and the full-width Pay button under it.
 * The button stays focusable while busy so a screen reader does not lose its place.
 */
export function PayButton(props: {
  amount: string;
  submitting: boolean;
  notice: Problem | null;
  onClick?: () => void;
}) {
  const { t } = useI18n();
  const { amount, submitting, notice, onClick } = props;
  return (
    <div class="pay">
      {notice && (
        <p class={notice.gentle ? 'notice gentle' : 'notice'} role="alert" dir="auto">
          {failureText(t, notice)}
        </p>
      )}
      <button
        type={onClick ? 'button' : 'submit'}
        class="button primary"
        aria-disabled={submitting}
        aria-busy={submitting}
        onClick={(event) => {
          if (submitting) event.preventDefault();
          else onClick?.();
        }}
      >
        {submitting ? (
          <>
            <Spinner /> {t('processing')}
          </>
        ) : (
          t('pay', { amount })
        )}
      </button>
      <p class="secure-note">
        <LockIcon /> {t('secureNote')}
      </p>
    </div>
  );
}
