import { useI18n } from '../i18n.ts';
import { Outcome, type OutcomeIcon } from './outcome.tsx';

/** A wait the shopper ends: on to the bank, the cashier page or WeChat's sheet, or back to the choice of method. */
export function Onward(props: {
  title: string;
  hint?: string;
  icon?: OutcomeIcon;
  busy: boolean;
  onContinue(): void;
  onChooseAnother(): void;
}) {
  const { t } = useI18n();
  const { busy } = props;
  return (
    <Outcome tone="neutral" icon={props.icon ?? 'clock'} title={props.title}>
      {props.hint && <p class="text">{props.hint}</p>}
      <button
        type="button"
        class="button primary"
        aria-disabled={busy}
        aria-busy={busy}
        onClick={() => busy || props.onContinue()}
      >
        {t('continue')}
      </button>
      <button type="button" class="button secondary" onClick={props.onChooseAnother}>
        {t('otherMethod')}
      </button>
    </Outcome>
  );
}
