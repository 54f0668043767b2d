/** The checkout with the keyboard alone: where the focus is, Tab until it is somewhere, a card typed in. */
import { expect } from 'vitest';
import type { Card, Session } from './session.ts';

interface Focused {
  inFrame: boolean;
  tag: string;
  id: string;
  type: string;
  value: string;
  text: string;
  focusVisible: boolean;
  /** An outline or a box-shadow on the element, or on the label or field around it. */
  indicator: boolean;
}

/** What has the keyboard focus: on the page, or (when the page's focus is the iframe) in the frame. */
export async function focused(session: Session): Promise<Focused> {
  const describe = () => {
    const element = document.activeElement as HTMLElement | null;
    const onBody = !element || element === document.body;
    const around = element ? [element, element.closest('label'), element.closest('.method, .field')] : [];
    const indicator = around.some((node) => {
      if (!node) return false;
      const style = getComputedStyle(node);
      return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    });
    return {
      inFrame: false,
      tag: onBody ? 'body' : element!.tagName.toLowerCase(),
      id: element?.id ?? '',
      type: element?.getAttribute('type') ?? '',
      value: (element as HTMLInputElement | null)?.value ?? '',
      text: (element?.textContent ?? '').trim().slice(0, 40),
      focusVisible: !onBody && element!.matches(':focus-visible'),
      indicator: !onBody && indicator,
    };
  };
  const onPage = await session.page.evaluate(describe);
  if (onPage.tag !== 'iframe') return onPage;
  return { ...(await session.frame.evaluate(describe)), inFrame: true };
}

/** Presses Tab (or Shift+Tab) until `wanted` holds; every stop on the way must show where focus is. */
export async function tabTo(
  session: Session,
  wanted: (focus: Focused) => boolean,
  what: string,
  options: { back?: boolean; max?: number } = {},
): Promise<Focused> {
  const stops: string[] = [];
  for (let i = 0; i < (options.max ?? 12); i++) {
    await session.page.keyboard.press(options.back ? 'Shift+Tab' : 'Tab');
    const focus = await focused(session);
    stops.push(`${focus.inFrame ? 'frame' : 'page'}:${focus.tag}#${focus.id}`);
    if (focus.tag !== 'body') {
      expect
        .soft(focus.focusVisible && focus.indicator, `${session.context.name}: visible focus on ${stops.at(-1)}`)
        .toBe(true);
    }
    if (wanted(focus)) return focus;
  }
  throw new Error(`keyboard: never reached ${what}; focus went ${stops.join(' → ')}`);
}

export const isInput = (autocomplete: string) => (focus: Focused) =>
  focus.inFrame && focus.tag === 'input' && focus.id === idFor[autocomplete];
const idFor: Record<string, string> = { 'cc-number': 'card-number', 'cc-exp': 'card-expiry', 'cc-csc': 'card-cvc' };

/** Types a card with the keyboard alone, from the card number field on, then presses Enter. */
export async function typeCardAndPay(session: Session, card: Card): Promise<void> {
  const { page, frame } = session;
  const fields = await frame.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement>('.card-form input')].map((input) => ({
      id: input.id,
      autocomplete: input.autocomplete,
    })),
  );
  const valueFor: Record<string, string> = {
    'cc-number': card.number,
    'cc-exp': (card.expiry ?? '1234').replace(/\D/g, ''),
    'cc-csc': card.cvc ?? '123',
    'cc-name': card.name ?? 'Ada Lovelace',
  };
  for (const [index, field] of fields.entries()) {
    if (index > 0) await tabTo(session, (focus) => focus.inFrame && focus.id === field.id, `#${field.id}`, { max: 1 });
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(valueFor[field.autocomplete] ?? 'x');
  }
  await page.keyboard.press('Enter');
}
