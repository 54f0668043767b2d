import { useEffect, useRef, useState } from 'preact/hooks';
import { serverNow } from '../checkout-api.ts';
import type { Problem } from '../checkout-problem.ts';
import { clock, countdownNotice, secondsLeft } from '../countdown.ts';
import { useI18n } from '../i18n.ts';
import { failureText } from '../messages.ts';
import { safeHttpUrl } from '../order-screen.ts';
import { inWebview } from '../shopper-context.ts';
import { Spinner } from './icons.tsx';
import { QrCode } from './qr-code.tsx';

/** The time on the server's clock, ticking each second until `until` (ms) passes. */
function useServerClock(until: number | null): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    if (until === null) return;
    setNow(serverNow());
    const timer = setInterval(() => {
      const time = serverNow();
      setNow(time);
      if (time >= until) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [until]);
  return now;
}

/**
 * The QR code to scan with its countdown, a plain link for shoppers already on the device that
 * pays (WeChat's `weixin://` codes get none: only WeChat's scanner opens them), and once the
 * code expires while the order lives on, the way to a new one.
 */
export function QrPayment(props: {
  payload: string;
  expiresAt: number | null;
  renewable: boolean;
  amount: string;
  submitting: boolean;
  notice: Problem | null;
  onRenew(): void;
  onChooseAnother(): void;
}) {
  const { t } = useI18n();
  const { payload, expiresAt, amount, submitting, notice } = props;
  const now = useServerClock(expiresAt);
  const left = expiresAt === null ? null : secondsLeft(expiresAt, now);
  const announce = countdownNotice(left);
  const link = safeHttpUrl(payload);
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // A new code replaces the button that asked for it; keep the keyboard user's place.
    if (document.hasFocus()) title.current?.focus({ preventScroll: true });
  }, [payload]);

  return (
    <section class="qr-payment" aria-labelledby="qr-title">
      <h2 id="qr-title" class="title" tabIndex={-1} ref={title}>
        {left === 0 ? t('codeExpiredTitle') : t('scanTitle', { amount })}
      </h2>
      {left === 0 ? (
        props.renewable && (
          <>
            {notice && (
              <p class="notice" role="alert" dir="auto">
                {failureText(t, notice)}
              </p>
            )}
            <button
              type="button"
              class="button primary"
              aria-disabled={submitting}
              aria-busy={submitting}
              onClick={() => !submitting && props.onRenew()}
            >
              {submitting && <Spinner />} {t('newCode')}
            </button>
          </>
        )
      ) : (
        <>
          <QrCode value={payload} label={t('qrLabel', { amount })} />
          <p class="hint">{t('scanHint')}</p>
          {left !== null && (
            <p class="countdown" role="timer">
              {t('codeExpiresIn', { time: clock(left) })}
            </p>
          )}
          {link && (
            // A webview opens no new window: the link replaces the page, as a deep link would.
            <a class="link" href={link} target={inWebview() ? '_top' : '_blank'} rel="noopener">
              {t('openPaymentPage')}
            </a>
          )}
          <p class="waiting">
            <Spinner /> {t('waitingForPayment')}
          </p>
        </>
      )}
      <p class="visually-hidden" aria-live="polite">
        {announce && t(announce === 'soon' ? 'sayCodeSoon' : 'sayCodeExpired')}
      </p>
      <button type="button" class="button secondary" onClick={props.onChooseAnother}>
        {t('otherMethod')}
      </button>
    </section>
  );
}
