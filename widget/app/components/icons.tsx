/** Small inline icons: no image requests, and they take the text colour. Decorative only. */
import type { ComponentChildren, JSX } from 'preact';

function Icon({ children, class: className }: { children: ComponentChildren; class?: string }) {
  return (
    <svg
      class={className ?? 'icon'}
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
    >
      {children}
    </svg>
  );
}

export const CardIcon = () => (
  <Icon>
    <rect x="2.5" y="5" width="19" height="14" rx="2.5" />
    <path d="M2.5 10h19M6 15h4" />
  </Icon>
);

export const QrIcon = () => (
  <Icon>
    <rect x="3.5" y="3.5" width="6" height="6" rx="1" />
    <rect x="14.5" y="3.5" width="6" height="6" rx="1" />
    <rect x="3.5" y="14.5" width="6" height="6" rx="1" />
    <path d="M14.5 14.5h2v2h-2zM18.5 18.5h2v2h-2zM14.5 20.5h1M20.5 14.5v1" />
  </Icon>
);

export const LockIcon = () => (
  <Icon class="icon icon-small">
    <rect x="5" y="11" width="14" height="9" rx="2" />
    <path d="M8 11V8a4 4 0 0 1 8 0v3" />
  </Icon>
);

export const CheckIcon = () => (
  <Icon class="icon">
    <path d="M5 12.5l4.5 4.5L19 7.5" />
  </Icon>
);

export const CrossIcon = () => (
  <Icon class="icon">
    <path d="M7 7l10 10M17 7L7 17" />
  </Icon>
);

export const ClockIcon = () => (
  <Icon class="icon">
    <circle cx="12" cy="12" r="8.5" />
    <path d="M12 7.5V12l3 2" />
  </Icon>
);

export const Spinner = () => <span class="spinner" aria-hidden="true" />;

/** Wallet marks: white strokes on a tile of the wallet's colour (styles.css), spotted at a glance. */
/** Alipay's 支, drawn in strokes: a font without Chinese would show a box instead. */
export const AlipayMark = () => (
  <span class="mark mark-alipay" aria-hidden="true">
    <Icon>
      <path d="M5 6.5h14M12 3v7.5M6.5 10.5h11L7 20.5M10 14l8.5 6.5" />
    </Icon>
  </span>
);

export const WechatPayMark = () => (
  <span class="mark mark-wechatpay" aria-hidden="true">
    <CheckIcon />
  </span>
);

/** The wallets Till knows by sight, by channel id. */
export const WALLET_MARKS: Record<string, (() => JSX.Element) | undefined> = {
  alipay: AlipayMark,
  wechatpay: WechatPayMark,
};
