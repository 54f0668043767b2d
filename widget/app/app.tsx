import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { BRAND_NAMES, type CardBrand } from '../../shared/card-brand-names.ts';
import type { CheckoutSummary } from '../../shared/schemas.ts';
import { Spinner } from './components/icons.tsx';
import { LazyCardForm, LazyWalletFlow } from './components/lazy.tsx';
import { MethodPicker } from './components/method-picker.tsx';
import { Onward } from './components/onward.tsx';
import { OrderHeader } from './components/order-header.tsx';
import { Outcome } from './components/outcome.tsx';
import { PayButton } from './components/pay-button.tsx';
import type { PostToHost } from './host-bridge.ts';
import { useI18n } from './i18n.ts';
import type { LaunchParams } from './launch-params.ts';
import { walletFlowsChunk } from './lazy-chunks.ts';
import { failureText, type Translate } from './messages.ts';
import { type CheckoutView, useCheckout } from './use-checkout.ts';

/** What the polite live region says, so a screen reader hears each change of state once. */
function statusText(view: CheckoutView, submitting: boolean, t: Translate, amount: string): string {
  switch (view.kind) {
    case 'loading':
      return t('sayLoading');
    case 'load_error':
      return t('sayError');
    case 'pay':
      return submitting ? t('saySubmitting') : '';
    case 'qr':
      return t('sayQr');
    case 'action':
      return t('sayAction');
    case 'redirect':
      return t(view.returned ? 'sayProcessing' : 'sayRedirect');
    case 'leaving':
      return t('sayRedirecting');
    case 'wallet':
      return t('sayWechat');
    case 'processing':
      return t('sayProcessing');
    case 'paid':
      return t('sayPaid', { amount });
    case 'authorized':
      return t('sayAuthorized', { amount });
    case 'expired':
      return t('sayExpired');
    case 'canceled':
      return t('sayCanceled');
    case 'failed':
      return t('sayFailed');
  }
}

/** Channels report brands in lower case ("visa", "amex"); shoppers know them by their names. */
const brandName = (brand: string): string =>
  BRAND_NAMES[brand as CardBrand] ?? brand.charAt(0).toUpperCase() + brand.slice(1);

function Shell({ status, children }: { status: string; children: ComponentChildren }) {
  return (
    <main class="checkout">
      {children}
      <p class="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
    </main>
  );
}

interface AppProps {
  params: LaunchParams | null;
  post: PostToHost;
  /** The first answer for the order, asked for before the app rendered. */
  firstCheckout: Promise<CheckoutSummary> | null;
}

function Checkout({ params, post, firstCheckout }: AppProps & { params: LaunchParams }) {
  const { t, money } = useI18n();
  const {
    view,
    methods,
    selected,
    select,
    cardChanged,
    submitting,
    notice,
    pay,
    renewCode,
    retry,
    proceed,
    chooseAnotherMethod,
  } = useCheckout(params, post, firstCheckout);
  const order = 'summary' in view ? view.summary.order : null;
  const amount = order ? money(order.amount, order.currency) : '';
  const status = statusText(view, submitting, t, amount);
  // Fetch the wallet flows while the shopper is still choosing, so paying shows them at once.
  useEffect(() => {
    if (selected && selected.kind !== 'card') void walletFlowsChunk.load().catch(() => undefined);
  }, [selected]);

  if (view.kind === 'loading') {
    return (
      <Shell status={status}>
        <div class="loading">
          <Spinner />
        </div>
      </Shell>
    );
  }
  if (view.kind === 'load_error') {
    return (
      <Shell status={status}>
        <Outcome tone="danger" icon="cross" title={t('errorTitle')}>
          {/* The server's words are for the merchant's developer (the host got them in `error`). */}
          <p class="text">{t(view.problem.fatal ? 'sessionLost' : 'networkError')}</p>
          {!view.problem.fatal && (
            <button type="button" class="button secondary" onClick={() => void retry()}>
              {t('retry')}
            </button>
          )}
        </Outcome>
      </Shell>
    );
  }

  const { attempt } = view.summary;
  const isResult = ['paid', 'authorized', 'expired', 'canceled', 'failed'].includes(view.kind);
  let body: ComponentChildren;
  switch (view.kind) {
    case 'pay':
      body = !methods.length ? (
        // The only method hidden here is WeChat Pay inside WeChat, for want of the payer's openid.
        <p class="notice">{t(view.summary.methods.length ? 'wechatUnavailable' : 'noMethods')}</p>
      ) : (
        <>
          <MethodPicker methods={methods} selected={selected} onSelect={select} />
          {selected?.kind === 'card' ? (
            <LazyCardForm
              amount={amount}
              submitting={submitting}
              notice={notice}
              onPay={(card) => void pay(card)}
              onChange={cardChanged}
            />
          ) : (
            <PayButton amount={amount} submitting={submitting} notice={notice} onClick={() => void pay()} />
          )}
        </>
      );
      break;
    case 'action':
      body = (
        <Onward
          title={t('authTitle')}
          hint={t('authHint')}
          busy={submitting}
          onContinue={proceed}
          onChooseAnother={chooseAnotherMethod}
        />
      );
      break;
    case 'qr':
    case 'redirect':
    case 'leaving':
    case 'wallet':
      body = (
        <LazyWalletFlow
          view={view}
          amount={amount}
          submitting={submitting}
          notice={notice}
          onRenew={renewCode}
          onContinue={proceed}
          onChooseAnother={chooseAnotherMethod}
        />
      );
      break;
    case 'processing':
      body = (
        <Outcome tone="neutral" icon="spinner" title={t('processingTitle')}>
          <p class="text">{t('processingHint')}</p>
        </Outcome>
      );
      break;
    case 'paid':
    case 'authorized':
      body = (
        <Outcome tone="success" icon="check" title={t(view.kind === 'paid' ? 'paidTitle' : 'authorizedTitle')}>
          <p class="outcome-amount">{amount}</p>
          {attempt?.instrument && (
            <p class="text">
              {t('paidWith', { brand: brandName(attempt.instrument.brand), last4: attempt.instrument.last4 })}
            </p>
          )}
          <p class="order-id">{t('paidHint', { order: view.summary.order.id })}</p>
        </Outcome>
      );
      break;
    case 'expired':
      body = (
        <Outcome tone="neutral" icon="clock" title={t('expiredTitle')}>
          <p class="text">{t('expiredHint')}</p>
        </Outcome>
      );
      break;
    case 'canceled':
      body = (
        <Outcome tone="neutral" icon="cross" title={t('canceledTitle')}>
          <p class="text">{t('canceledHint')}</p>
        </Outcome>
      );
      break;
    case 'failed':
      body = (
        <Outcome tone="danger" icon="cross" title={t('failedTitle')}>
          {view.failure && (
            <p class="text" dir="auto">
              {failureText(t, view.failure)}
            </p>
          )}
        </Outcome>
      );
      break;
  }

  return (
    <Shell status={status}>
      <OrderHeader order={view.summary.order} compact={isResult} />
      {body}
    </Shell>
  );
}

export function App({ params, post, firstCheckout }: AppProps) {
  const { t } = useI18n();
  if (!params) {
    return (
      <Shell status={t('sayError')}>
        <Outcome tone="danger" icon="cross" title={t('errorTitle')}>
          <p class="text">{t('sessionLost')}</p>
        </Outcome>
      </Shell>
    );
  }
  return <Checkout params={params} post={post} firstCheckout={firstCheckout} />;
}
