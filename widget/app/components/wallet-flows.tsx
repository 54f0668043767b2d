/**
 * The screens of a payment that goes through a wallet: the QR code to scan, the cashier page
 * the shopper leaves for and comes back from, WeChat's payment sheet. Loaded on demand
 * (components/lazy.tsx).
 */
import type { CheckoutSummary } from '../../../shared/schemas.ts';
import type { Problem } from '../checkout-problem.ts';
import { useI18n } from '../i18n.ts';
import { type Translate, walletName } from '../messages.ts';
import type { Screen } from '../order-screen.ts';
import { Leaving } from './leaving.tsx';
import { Onward } from './onward.tsx';
import { QrPayment } from './qr-payment.tsx';

export { payWithWechat } from '../wechat-pay.ts';

export type WalletScreen = Extract<Screen, { kind: 'qr' | 'redirect' | 'leaving' | 'wallet' }>;

export interface WalletFlowProps {
  view: WalletScreen & { summary: CheckoutSummary };
  amount: string;
  submitting: boolean;
  notice: Problem | null;
  onRenew(): void;
  onContinue(): void;
  onChooseAnother(): void;
}

/** The wallet the current attempt pays with, by the name shoppers know it by. */
function attemptWalletName({ attempt, methods }: CheckoutSummary, t: Translate): string {
  const channel = attempt?.channel ?? '';
  return walletName(t, channel) ?? methods.find((method) => method.channel === channel)?.label ?? channel;
}

export function WalletFlow(props: WalletFlowProps) {
  const { t } = useI18n();
  const { view, submitting, onContinue, onChooseAnother } = props;
  const name = attemptWalletName(view.summary, t);
  switch (view.kind) {
    case 'qr':
      return (
        <QrPayment
          payload={view.payload}
          expiresAt={view.expiresAt}
          renewable={view.renewable}
          amount={props.amount}
          submitting={submitting}
          notice={props.notice}
          onRenew={props.onRenew}
          onChooseAnother={onChooseAnother}
        />
      );
    case 'leaving':
      return <Leaving url={view.url} name={name} onChooseAnother={onChooseAnother} />;
    case 'wallet':
      return (
        <Onward
          title={t('wechatTitle')}
          icon={submitting ? 'spinner' : 'clock'}
          busy={submitting}
          onContinue={onContinue}
          onChooseAnother={onChooseAnother}
        />
      );
    case 'redirect':
      // Back from the cashier page: the news of the payment may still be on its way.
      return view.returned ? (
        <Onward
          title={t('checkingTitle')}
          hint={t('returnedHint', { name })}
          icon="spinner"
          busy={submitting}
          onContinue={onContinue}
          onChooseAnother={onChooseAnother}
        />
      ) : (
        <Onward
          title={t('redirectTitle', { name })}
          hint={t('redirectHint', { name })}
          busy={submitting}
          onContinue={onContinue}
          onChooseAnother={onChooseAnother}
        />
      );
  }
}
