import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { CheckIcon, ClockIcon, CrossIcon, Spinner } from './icons.tsx';

export type OutcomeTone = 'success' | 'danger' | 'neutral';
export type OutcomeIcon = 'check' | 'cross' | 'clock' | 'spinner';

const icons: Record<OutcomeIcon, () => ComponentChildren> = {
  check: CheckIcon,
  cross: CrossIcon,
  clock: ClockIcon,
  spinner: Spinner,
};

/**
 * A full-width result: success, a final failure, an expired or canceled order, or a wait. The
 * heading takes focus so keyboard and screen-reader users land on the news.
 */
export function Outcome(props: { tone: OutcomeTone; icon: OutcomeIcon; title: string; children?: ComponentChildren }) {
  const { tone, icon, title, children } = props;
  const Icon = icons[icon];
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // Focusing inside an iframe would scroll the host page; only do it once the shopper is here.
    if (document.hasFocus()) heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <section class={`outcome outcome-${tone}`}>
      <div class="outcome-icon">
        <Icon />
      </div>
      <h2 class="title" tabIndex={-1} ref={heading}>
        {title}
      </h2>
      {children}
    </section>
  );
}
