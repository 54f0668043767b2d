import type { ComponentChildren, InputHTMLAttributes, TargetedEvent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { BRAND_NAMES, type CardBrand } from '../../../shared/card-brand.ts';
import {
  type CardFormState,
  cardBrandOf,
  cardNumberError,
  caretAfterDigits,
  cvcError,
  digitsOf,
  expiryError,
  formatCardNumber,
  formatCvc,
  formatExpiry,
  NAME_MAX_LENGTH,
  nameError,
  parseExpiry,
} from '../card-input.ts';
import type { CardDetails } from '../checkout-api.ts';
import type { Problem } from '../checkout-problem.ts';
import { useI18n } from '../i18n.ts';
import type { MessageKey } from '../messages.ts';
import { PayButton } from './pay-button.tsx';

type FieldName = 'number' | 'expiry' | 'cvc' | 'name';
type Values = Record<FieldName, string>;
type Errors = Record<FieldName, MessageKey | null>;

/** Field order on the page: the first invalid one gets the focus and names the `change` error. */
const FIELDS: readonly FieldName[] = ['number', 'expiry', 'cvc', 'name'];
const EMPTY: Values = { number: '', expiry: '', cvc: '', name: '' };

const errorsOf = (values: Values): Errors => ({
  number: cardNumberError(values.number),
  expiry: expiryError(values.expiry),
  cvc: cvcError(values.cvc, values.number),
  name: nameError(values.name),
});

/** Tiles after the schemes' colours and wordmarks: recognisable at 32 × 20 px for a few bytes. */
const MARKS: Record<Exclude<CardBrand, 'mastercard'>, [background: string, text: string]> = {
  visa: ['#1a1f71', 'VISA'],
  amex: ['#016fd0', 'AMEX'],
  discover: ['#f58220', 'DISCOVER'],
  jcb: ['#0e4c96', 'JCB'],
  diners: ['#0079be', 'DINERS'],
  unionpay: ['#d71e28', 'UnionPay'],
};

/** Decorative: the brand's name reaches screen readers as text (see CardForm). */
function BrandMark({ brand }: { brand: CardBrand }) {
  const [background, text] = brand === 'mastercard' ? ['#231f20', ''] : MARKS[brand];
  const long = text.length > 4;
  return (
    <svg class="brand-mark" viewBox="0 0 32 20" aria-hidden="true" focusable="false">
      <rect width="32" height="20" rx="3" fill={background} />
      {brand === 'mastercard' ? (
        <>
          <circle cx="12.5" cy="10" r="6" fill="#eb001b" />
          <circle cx="19.5" cy="10" r="6" fill="#f79e1b" fill-opacity="0.85" />
        </>
      ) : (
        <text
          x="16"
          y={long ? 12 : 13.5}
          fill="#fff"
          font-size={long ? 6 : 9}
          font-weight="700"
          font-family="Arial, sans-serif"
          text-anchor="middle"
          // Long wordmarks are squeezed to the tile whatever font the device has.
          {...(long ? { textLength: 27, lengthAdjust: 'spacingAndGlyphs' } : {})}
        >
          {text}
        </text>
      )}
    </svg>
  );
}

function Field(props: {
  name: FieldName;
  label: string;
  error: string | undefined;
  /** Ids of further text that describes the input (the card's brand). */
  describedBy?: string | undefined;
  inputProps: InputHTMLAttributes<HTMLInputElement>;
  children?: ComponentChildren;
}) {
  const { name, label, error, inputProps } = props;
  const id = `card-${name}`;
  const describedBy = [error && `${id}-error`, props.describedBy].filter(Boolean).join(' ');
  return (
    <div class={`field field-${name}`}>
      <label for={id}>{label}</label>
      <div class="field-input">
        <input
          id={id}
          type="text"
          spellcheck={false}
          autocorrect="off"
          aria-invalid={error ? 'true' : 'false'}
          aria-describedby={describedBy || undefined}
          {...inputProps}
        />
        {props.children}
      </div>
      {error && (
        <p id={`${id}-error`} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * What numeric card fields share. Digits run left to right in every language, so the inputs
 * are `dir="ltr"` while their labels follow the page (styles.css aligns them to the page's start).
 */
const NUMERIC = { inputmode: 'numeric', dir: 'ltr' } as const;

/**
 * Card number, expiry, CVC and name on card. The `name` and `autocomplete` attributes are what
 * Chrome and Safari look for to offer saved cards, inside this frame too. Values are reformatted
 * as typed; a field shows its error once the shopper leaves it or tries to pay, and typing a fix
 * clears it straight away. The name comes last, as in Stripe Checkout: the number is what the
 * shopper reads off the card first, and autofill fills all four from any of them.
 */
export function CardForm(props: {
  amount: string;
  submitting: boolean;
  notice: Problem | null;
  onPay(card: CardDetails): void;
  onChange?(state: CardFormState): void;
}) {
  const { t } = useI18n();
  const [values, setValues] = useState<Values>(EMPTY);
  // Autofill fires several input events before a render; each must see the ones before it
  // (the CVC's length depends on the number filled a moment earlier).
  const latest = useRef<Values>(EMPTY);
  const [shown, setShown] = useState<Partial<Record<FieldName, boolean>>>({});
  const formRef = useRef<HTMLFormElement>(null);
  /** Focused after the render that marks it invalid, so a screen reader reads its error with it. */
  const [focusNext, setFocusNext] = useState<FieldName | null>(null);
  useEffect(() => {
    if (!focusNext) return;
    formRef.current?.querySelector<HTMLInputElement>(`#card-${focusNext}`)?.focus();
    setFocusNext(null);
  }, [focusNext]);
  const errors = errorsOf(values);
  const visibleError = (name: FieldName): MessageKey | null => (shown[name] ? errors[name] : null);
  const errorText = (name: FieldName): string | undefined => {
    const key = visibleError(name);
    return key ? t(key) : undefined;
  };
  const brand = cardBrandOf(values.number);

  const firstShown = FIELDS.map(visibleError).find(Boolean);
  const state: CardFormState = {
    complete: !FIELDS.some((name) => errors[name]),
    empty: FIELDS.every((name) => !values[name].trim()),
    brand,
    error: firstShown ? { code: firstShown, message: t(firstShown) } : null,
  };
  // The host hears of real changes only, not of every keystroke (a new language is a change).
  const reported = useRef('');
  useEffect(() => {
    const key = `${state.complete}|${state.empty}|${state.brand}|${state.error?.message}`;
    if (key === reported.current) return;
    reported.current = key;
    props.onChange?.(state);
  });

  const update = (next: Partial<Values>) => {
    latest.current = { ...latest.current, ...next };
    setValues(latest.current);
  };

  const onInput = (name: FieldName, format: (text: string) => string) => (event: TargetedEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const caret = input.selectionStart ?? input.value.length;
    const typingAtEnd = caret >= input.value.length;
    const digitsBeforeCaret = digitsOf(input.value.slice(0, caret)).length;
    const formatted = format(input.value);
    // Preact skips the DOM write when state does not change, so set the value here as well.
    input.value = formatted;
    if (document.activeElement === input && !typingAtEnd) {
      const position = caretAfterDigits(formatted, digitsBeforeCaret);
      input.setSelectionRange(position, position);
    }
    // A new number may be of a brand with a shorter code: the CVC keeps what that brand allows.
    update(
      name === 'number' ? { number: formatted, cvc: formatCvc(latest.current.cvc, formatted) } : { [name]: formatted },
    );
  };
  const onBlur = (name: FieldName) => () => {
    if (latest.current[name]) setShown((current) => ({ ...current, [name]: true }));
  };

  const onSubmit = (event: TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (props.submitting) return;
    const firstInvalid = FIELDS.find((name) => errors[name]);
    // An expiry without errors parses; should it not, it is the field to fix.
    const expiry = parseExpiry(values.expiry);
    if (firstInvalid || !expiry) {
      setShown({ number: true, expiry: true, cvc: true, name: true });
      setFocusNext(firstInvalid ?? 'expiry');
      return;
    }
    props.onPay({
      number: digitsOf(values.number),
      exp_month: expiry.month,
      exp_year: expiry.year,
      cvc: values.cvc,
      name: values.name.trim(),
    });
  };

  return (
    <form ref={formRef} class="card-form" onSubmit={onSubmit} noValidate>
      <Field
        name="number"
        label={t('cardNumber')}
        error={errorText('number')}
        describedBy={brand ? 'card-brand' : undefined}
        inputProps={{
          ...NUMERIC,
          name: 'cardnumber',
          value: values.number,
          autocomplete: 'cc-number',
          placeholder: '1234 1234 1234 1234',
          onInput: onInput('number', formatCardNumber),
          onBlur: onBlur('number'),
        }}
      >
        {brand && (
          <>
            <BrandMark brand={brand} />
            <span id="card-brand" class="visually-hidden">
              {BRAND_NAMES[brand]}
            </span>
          </>
        )}
      </Field>
      <div class="field-row">
        <Field
          name="expiry"
          label={t('expiry')}
          error={errorText('expiry')}
          inputProps={{
            ...NUMERIC,
            name: 'exp-date',
            value: values.expiry,
            autocomplete: 'cc-exp',
            placeholder: t('expiryPlaceholder'),
            onInput: onInput('expiry', formatExpiry),
            onBlur: onBlur('expiry'),
          }}
        />
        <Field
          name="cvc"
          label={t('cvc')}
          error={errorText('cvc')}
          inputProps={{
            ...NUMERIC,
            name: 'cvc',
            value: values.cvc,
            autocomplete: 'cc-csc',
            placeholder: brand === 'amex' ? '1234' : '123',
            onInput: onInput('cvc', (text) => formatCvc(text, latest.current.number)),
            onBlur: onBlur('cvc'),
          }}
        />
      </div>
      <Field
        name="name"
        label={t('cardholderName')}
        error={errorText('name')}
        inputProps={{
          name: 'ccname',
          value: values.name,
          autocomplete: 'cc-name',
          autocapitalize: 'words',
          // A Latin name in an Arabic page (or the reverse) keeps its own direction.
          dir: 'auto',
          maxLength: NAME_MAX_LENGTH,
          onInput: (event) => update({ name: event.currentTarget.value }),
          onBlur: onBlur('name'),
        }}
      />
      <PayButton amount={props.amount} submitting={props.submitting} notice={props.notice} />
    </form>
  );
}
