import type { CheckoutSummary } from '../../../shared/schemas.ts';
import { useI18n } from '../i18n.ts';

/**
 * Who is being paid, for what, and how much: the first thing a shopper checks. `compact` keeps
 * only the merchant for result screens, which show the amount themselves.
 */
export function OrderHeader({ order, compact }: { order: CheckoutSummary['order']; compact?: boolean }) {
  const { t, money } = useI18n();
  return (
    <header class="order">
      <div class="merchant">
        <span class="merchant-name">{order.merchant_name}</span>
        {order.mode === 'test' && <span class="badge">{t('testMode')}</span>}
      </div>
      {!compact && <p class="amount">{money(order.amount, order.currency)}</p>}
      {!compact && order.description && <p class="description">{order.description}</p>}
    </header>
  );
}
