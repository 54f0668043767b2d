import { useI18n } from '../i18n.ts';
import { safeHttpUrl } from '../order-screen.ts';
import { Spinner } from './icons.tsx';
import { QrCode } from './qr-code.tsx';

/** The QR code to scan, with a plain link for shoppers already on the device that pays. */
export function QrPayment(props: { payload: string; amount: string; onChooseAnother(): void }) {
  const { t } = useI18n();
  const { payload, amount, onChooseAnother } = props;
  const link = safeHttpUrl(payload);
  return (
    <section class="qr-payment" aria-labelledby="qr-title">
      <h2 id="qr-title" class="title">
        {t('scanTitle', { amount })}
      </h2>
      <QrCode value={payload} label={t('qrLabel', { amount })} />
      <p class="hint">{t('scanHint')}</p>
      {link && (
        <a class="link" href={link} target="_blank" rel="noopener">
          {t('openPaymentPage')}
        </a>
      )}
      <p class="waiting">
        <Spinner /> {t('waitingForPayment')}
      </p>
      <button type="button" class="button secondary" onClick={onChooseAnother}>
        {t('otherMethod')}
      </button>
    </section>
  );
}
