import type { PaymentMethod } from '../../../shared/schemas.ts';
import { useI18n } from '../i18n.ts';
import { walletName } from '../messages.ts';
import { CardIcon, QrIcon, WALLET_MARKS } from './icons.tsx';

const keyOf = (method: PaymentMethod): string => `${method.channel}:${method.method}`;

/** A wallet's own mark says more than the generic icon of its kind. */
function MethodIcon({ method }: { method: PaymentMethod }) {
  const Mark = WALLET_MARKS[method.channel];
  if (Mark) return <Mark />;
  return method.kind === 'card' ? <CardIcon /> : method.kind === 'qr' ? <QrIcon /> : null;
}

/**
 * Methods as a real radio group, so arrow keys and screen readers work as users expect. A wallet
 * is named in the shopper's language, its web cashier told apart from its QR code when both are
 * offered; a kind offered once gets the translated generic name; several of a kind keep the
 * server's labels so they can be told apart.
 */
export function MethodPicker(props: {
  methods: PaymentMethod[];
  selected: PaymentMethod | null;
  onSelect(method: PaymentMethod): void;
}) {
  const { t } = useI18n();
  const { methods, selected, onSelect } = props;
  const labelOf = (method: PaymentMethod): string => {
    const { channel, kind } = method;
    const wallet = walletName(t, channel);
    if (wallet) {
      const several = methods.filter((other) => other.channel === channel).length > 1;
      return several && kind === 'redirect' ? t('walletWeb', { name: wallet }) : wallet;
    }
    const generic = methods.filter((other) => other.kind === kind).length === 1;
    if (generic && kind === 'card') return t('methodCard');
    if (generic && kind === 'qr') return t('methodQr');
    return method.label;
  };
  return (
    <fieldset class="methods">
      <legend id="method-legend" class="section-label">
        {t('paymentMethod')}
      </legend>
      <div role="radiogroup" aria-labelledby="method-legend" class="method-list">
        {methods.map((method) => {
          const key = keyOf(method);
          const checked = selected !== null && keyOf(selected) === key;
          return (
            <label key={key} class={checked ? 'method checked' : 'method'}>
              <input type="radio" name="method" value={key} checked={checked} onChange={() => onSelect(method)} />
              <span class="method-label">{labelOf(method)}</span>
              <MethodIcon method={method} />
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
