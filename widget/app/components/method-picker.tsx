import type { PaymentMethod } from '../../../shared/schemas.ts';
import { useI18n } from '../i18n.ts';
import { CardIcon, QrIcon } from './icons.tsx';

const keyOf = (method: PaymentMethod): string => `${method.channel}:${method.method}`;

/**
 * Methods as a real radio group, so arrow keys and screen readers work as users expect. A
 * kind offered once gets the translated generic name; several of a kind keep the server's
 * labels so they can be told apart.
 */
export function MethodPicker(props: {
  methods: PaymentMethod[];
  selected: PaymentMethod | null;
  onSelect(method: PaymentMethod): void;
}) {
  const { t } = useI18n();
  const { methods, selected, onSelect } = props;
  const labelOf = (method: PaymentMethod): string => {
    const unique = methods.filter((other) => other.kind === method.kind).length === 1;
    if (unique && method.kind === 'card') return t('methodCard');
    if (unique && method.kind === 'qr') return t('methodQr');
    return method.label;
  };
  return (
    <fieldset class="methods">
      <legend id="method-legend" class="section-label">{t('paymentMethod')}</legend>
      <div role="radiogroup" aria-labelledby="method-legend" class="method-list">
        {methods.map((method) => {
          const key = keyOf(method);
          const checked = selected !== null && keyOf(selected) === key;
          return (
            <label key={key} class={checked ? 'method checked' : 'method'}>
              <input
                type="radio"
                name="method"
                value={key}
                checked={checked}
                onChange={() => onSelect(method)}
              />
              <span class="method-label">{labelOf(method)}</span>
              {method.kind === 'card' ? <CardIcon /> : method.kind === 'qr' ? <QrIcon /> : null}
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
